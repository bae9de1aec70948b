import duckdb from '@duckdb/node-bindings';
import type { DataType } from 'apache-arrow';
import { BitBuffer, ByteBuffer } from './buffers.js';
import { EMPTY, NullableWriter } from './column-writer.js';
import type { BatchBody } from './ipc.js';

/**
 * Types whose DuckDB and Arrow representations are the same bytes: integers,
 * floats, DATE (int32 days), TIME (int64 µs), timestamps of every unit,
 * HUGEINT and DECIMALs stored as int128. Values under nulls are copied too;
 * Arrow ignores them.
 */
export class FixedWidthWriter extends NullableWriter {
  private readonly data = new ByteBuffer(16 * 1024);
  private source: Uint8Array = EMPTY;

  constructor(
    readonly type: DataType,
    private readonly width: number,
  ) {
    super();
  }

  override get byteLength(): number {
    return super.byteLength + this.data.length;
  }

  override attach(vector: duckdb.Vector, size: number): void {
    super.attach(vector, size);
    this.source = size > 0 ? duckdb.vector_get_data(vector, size * this.width) : EMPTY;
  }

  append(offset: number, count: number): void {
    this.validity.appendBits(this.sourceValidity, offset, count);
    this.data.append(this.source.subarray(offset * this.width, (offset + count) * this.width));
  }

  override emit(body: BatchBody): void {
    super.emit(body);
    body.buffers.push(this.data.view());
  }

  override reset(): void {
    super.reset();
    this.data.reset();
  }
}

/** BOOLEAN: DuckDB spends a byte per value, Arrow a bit. */
export class BooleanWriter extends NullableWriter {
  private readonly values = new BitBuffer();
  private source: Uint8Array = EMPTY;

  constructor(readonly type: DataType) {
    super();
    if (duckdb.sizeof_bool !== 1) throw new Error(`unsupported bool size ${duckdb.sizeof_bool}`);
  }

  override get byteLength(): number {
    return super.byteLength * 2;
  }

  override attach(vector: duckdb.Vector, size: number): void {
    super.attach(vector, size);
    this.source = size > 0 ? duckdb.vector_get_data(vector, size) : EMPTY;
  }

  append(offset: number, count: number): void {
    this.validity.appendBits(this.sourceValidity, offset, count);
    this.values.appendBooleanBytes(this.source, offset, count);
  }

  override emit(body: BatchBody): void {
    super.emit(body);
    body.buffers.push(this.values.view());
  }

  override reset(): void {
    super.reset();
    this.values.reset();
  }
}
