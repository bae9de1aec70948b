import duckdb from '@duckdb/node-bindings';
import { TributaryError } from '@tributary/core';
import type { DataType } from 'apache-arrow';
import { OffsetBuffer } from './buffers.js';
import { type ColumnWriter, isValid, NullableWriter } from './column-writer.js';
import type { BatchBody } from './ipc.js';

const MAX_INT32 = 2 ** 31 - 1;

/**
 * LIST and MAP (DuckDB's MAP is a LIST of {key, value} structs, Arrow's Map
 * has the same layout). A DuckDB list entry is {uint64 offset, uint64 length}
 * into the child vector; Arrow wants int32 offsets into a child that holds
 * exactly the referenced ranges, in row order. Adjacent ranges are merged so
 * the child usually appends a whole chunk's elements at once.
 */
export class ListWriter extends NullableWriter {
  private readonly offsets = new OffsetBuffer();
  private entries: Uint32Array = new Uint32Array(0);

  constructor(
    readonly type: DataType,
    private readonly child: ColumnWriter,
  ) {
    super();
  }

  override get byteLength(): number {
    return super.byteLength + this.offsets.count * 4 + this.child.byteLength;
  }

  override attach(vector: duckdb.Vector, size: number): void {
    super.attach(vector, size);
    if (size === 0) return;
    const bytes = duckdb.vector_get_data(vector, size * 16);
    this.entries = new Uint32Array(bytes.buffer, bytes.byteOffset, size * 4);
    this.child.attach(duckdb.list_vector_get_child(vector), duckdb.list_vector_get_size(vector));
  }

  append(offset: number, count: number): void {
    const mask = this.sourceValidity;
    const entries = this.entries;
    this.validity.appendBits(mask, offset, count);
    const offsets = this.offsets.reserve(count);
    let at = this.offsets.count;
    let total = this.offsets.last;
    let pendingStart = 0;
    let pendingLength = 0;
    for (let row = offset, end = offset + count; row < end; row++) {
      if (isValid(mask, row)) {
        const start = (entries[row * 4] as number) + (entries[row * 4 + 1] as number) * 2 ** 32;
        const length = (entries[row * 4 + 2] as number) + (entries[row * 4 + 3] as number) * 2 ** 32;
        if (length > 0) {
          if (start === pendingStart + pendingLength) {
            pendingLength += length;
          } else {
            if (pendingLength > 0) this.child.append(pendingStart, pendingLength);
            pendingStart = start;
            pendingLength = length;
          }
          total += length;
          if (total > MAX_INT32)
            throw TributaryError.invalid('a list column is too large for one Arrow batch');
        }
      }
      offsets[at++] = total;
    }
    if (pendingLength > 0) this.child.append(pendingStart, pendingLength);
    this.offsets.count = at;
  }

  override emit(body: BatchBody): void {
    super.emit(body);
    body.buffers.push(this.offsets.view());
    this.child.emit(body);
  }

  override reset(): void {
    super.reset();
    this.offsets.reset();
    this.child.reset();
  }
}

/** STRUCT: a validity bitmap over children that hold one entry per row. */
export class StructWriter extends NullableWriter {
  constructor(
    readonly type: DataType,
    private readonly children: ColumnWriter[],
  ) {
    super();
  }

  override get byteLength(): number {
    let bytes = super.byteLength;
    for (const child of this.children) bytes += child.byteLength;
    return bytes;
  }

  override attach(vector: duckdb.Vector, size: number): void {
    super.attach(vector, size);
    if (size === 0) return;
    this.children.forEach((child, index) => {
      child.attach(duckdb.struct_vector_get_child(vector, index), size);
    });
  }

  append(offset: number, count: number): void {
    this.validity.appendBits(this.sourceValidity, offset, count);
    for (const child of this.children) child.append(offset, count);
  }

  override emit(body: BatchBody): void {
    super.emit(body);
    for (const child of this.children) child.emit(body);
  }

  override reset(): void {
    super.reset();
    for (const child of this.children) child.reset();
  }
}

/** ARRAY(T, n) → FixedSizeList: the child holds n entries per row, nulls included. */
export class FixedSizeListWriter extends NullableWriter {
  constructor(
    readonly type: DataType,
    private readonly child: ColumnWriter,
    private readonly listSize: number,
  ) {
    super();
  }

  override get byteLength(): number {
    return super.byteLength + this.child.byteLength;
  }

  override attach(vector: duckdb.Vector, size: number): void {
    super.attach(vector, size);
    if (size === 0) return;
    this.child.attach(duckdb.array_vector_get_child(vector), size * this.listSize);
  }

  append(offset: number, count: number): void {
    this.validity.appendBits(this.sourceValidity, offset, count);
    this.child.append(offset * this.listSize, count * this.listSize);
  }

  override emit(body: BatchBody): void {
    super.emit(body);
    this.child.emit(body);
  }

  override reset(): void {
    super.reset();
    this.child.reset();
  }
}
