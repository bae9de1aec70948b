import duckdb from '@duckdb/node-bindings';
import type { DataType } from 'apache-arrow';
import { BitBuffer } from './buffers.js';
import type { BatchBody } from './ipc.js';

export const EMPTY = new Uint8Array(0);

/**
 * Converts one DuckDB column (or a nested child) into Arrow buffers, chunk by
 * chunk. A writer is attached to one DuckDB vector at a time, appends ranges
 * of it (a whole chunk, part of one when a batch fills up, or the child ranges
 * that list entries point at), and emits its buffers when a batch is cut.
 */
export interface ColumnWriter {
  readonly type: DataType;
  /** Entries appended since the last reset. */
  readonly length: number;
  /** Bytes this writer would emit now; drives the batch size. */
  readonly byteLength: number;
  /** Binds to a vector holding `size` entries. */
  attach(vector: duckdb.Vector, size: number): void;
  /** Appends entries [offset, offset + count) of the attached vector. */
  append(offset: number, count: number): void;
  /** Adds this writer's field nodes and buffers, in IPC pre-order. */
  emit(body: BatchBody): void;
  reset(): void;
}

/** Reads a vector's validity mask; null means every entry is valid. */
export function readValidity(vector: duckdb.Vector, size: number): Uint8Array | null {
  if (size === 0) return null;
  // The mask is a run of uint64 words, so map whole words.
  const mask = duckdb.vector_get_validity(vector, Math.ceil(size / 64) * 8) as Uint8Array | null | undefined;
  return mask ?? null;
}

export function isValid(mask: Uint8Array | null, index: number): boolean {
  return mask === null || (((mask[index >>> 3] as number) >>> (index & 7)) & 1) === 1;
}

/** Shared validity handling: every Arrow layout except Null starts with a validity bitmap. */
export abstract class NullableWriter implements ColumnWriter {
  abstract readonly type: DataType;
  protected readonly validity = new BitBuffer();
  protected sourceValidity: Uint8Array | null = null;

  get length(): number {
    return this.validity.length;
  }

  get byteLength(): number {
    return (this.validity.length + 7) >>> 3;
  }

  attach(vector: duckdb.Vector, size: number): void {
    this.sourceValidity = readValidity(vector, size);
  }

  abstract append(offset: number, count: number): void;

  emit(body: BatchBody): void {
    const nullCount = this.validity.zeros;
    body.nodes.push({ length: this.validity.length, nullCount });
    body.buffers.push(nullCount > 0 ? this.validity.view() : EMPTY);
  }

  reset(): void {
    this.validity.reset();
  }
}
