import duckdb from '@duckdb/node-bindings';
import { Utf8 } from 'apache-arrow';
import { isValid } from './column-writer.js';
import { VarBinaryWriter } from './var-binary.js';

const encoder = new TextEncoder();

/**
 * ENUM → Utf8. A dictionary-encoded Arrow column would be smaller, but every
 * consumer (JSON encoding, federation joins, caching) would then have to
 * handle dictionary batches; enums are small, so the strings are written out.
 */
export class EnumWriter extends VarBinaryWriter {
  readonly type = new Utf8();
  private readonly entries: Uint8Array[];
  private indexes: Uint8Array | Uint16Array | Uint32Array = new Uint8Array(0);

  constructor(
    values: readonly string[],
    private readonly indexWidth: 1 | 2 | 4,
  ) {
    super();
    this.entries = values.map((value) => encoder.encode(value));
  }

  override attach(vector: duckdb.Vector, size: number): void {
    super.attach(vector, size);
    if (size === 0) return;
    const bytes = duckdb.vector_get_data(vector, size * this.indexWidth);
    this.indexes =
      this.indexWidth === 1
        ? bytes
        : this.indexWidth === 2
          ? new Uint16Array(bytes.buffer, bytes.byteOffset, size)
          : new Uint32Array(bytes.buffer, bytes.byteOffset, size);
  }

  append(offset: number, count: number): void {
    const mask = this.sourceValidity;
    this.validity.appendBits(mask, offset, count);
    const offsets = this.offsets.reserve(count);
    let at = this.offsets.count;
    for (let row = offset, end = offset + count; row < end; row++) {
      if (isValid(mask, row)) this.data.append(this.entries[this.indexes[row] as number] as Uint8Array);
      offsets[at++] = this.data.length;
    }
    this.offsets.count = at;
  }
}
