import { type DuckDBType, DuckDBVector } from '@duckdb/node-api';
import type duckdb from '@duckdb/node-bindings';
import { Null, Utf8 } from 'apache-arrow';
import type { ColumnWriter } from './column-writer.js';
import type { BatchBody } from './ipc.js';
import { VarBinaryWriter } from './var-binary.js';

const encoder = new TextEncoder();

/**
 * Rare types (UNION, BIT, BIGNUM, TIME WITH TIME ZONE, UHUGEINT, VARIANT,
 * GEOMETRY, …) become Utf8 holding DuckDB's own text form of each value, read
 * through @duckdb/node-api's value readers. That is slow (an object per value)
 * but exact, and these types are not worth a byte-level conversion.
 */
export class TextFallbackWriter extends VarBinaryWriter {
  readonly type = new Utf8();
  private values: DuckDBVector | null = null;

  constructor(private readonly duckType: DuckDBType) {
    super();
  }

  override attach(vector: duckdb.Vector, size: number): void {
    this.values = size > 0 ? DuckDBVector.create(vector, size, this.duckType) : null;
  }

  append(offset: number, count: number): void {
    for (let row = offset, end = offset + count; row < end; row++) {
      const value = this.values?.getItem(row) ?? null;
      this.appendEncoded(value === null ? null : encoder.encode(String(value)));
    }
  }
}

/** A column of the NULL type (e.g. `SELECT NULL AS x` in some contexts): Arrow's Null layout has no buffers. */
export class NullWriter implements ColumnWriter {
  readonly type = new Null();
  length = 0;
  readonly byteLength = 0;

  attach(): void {}

  append(_offset: number, count: number): void {
    this.length += count;
  }

  emit(body: BatchBody): void {
    body.nodes.push({ length: this.length, nullCount: this.length });
  }

  reset(): void {
    this.length = 0;
  }
}
