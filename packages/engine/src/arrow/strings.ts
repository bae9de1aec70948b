import duckdb from '@duckdb/node-bindings';
import type { DataType } from 'apache-arrow';
import { EMPTY, isValid } from './column-writer.js';
import { VarBinaryWriter } from './var-binary.js';

const STRING_T = 16;
const INLINE_LIMIT = 12;

/**
 * VARCHAR and BLOB (and JSON, a VARCHAR alias). Each entry is a 16-byte
 * string_t: a uint32 length, then either the bytes inline (length <= 12) or a
 * 4-byte prefix and a pointer. Reading a pointer costs a native call, so
 * consecutive long strings whose bytes sit back to back in DuckDB's string
 * heap (the usual case: about four runs per 2,048-row chunk) are read with
 * one call. That is safe because every byte read belongs to one of the strings.
 */
export class StringWriter extends VarBinaryWriter {
  private source: Uint8Array = EMPTY;
  private words: Uint32Array = new Uint32Array(0);

  constructor(readonly type: DataType) {
    super();
  }

  override attach(vector: duckdb.Vector, size: number): void {
    super.attach(vector, size);
    if (size === 0) return;
    this.source = duckdb.vector_get_data(vector, size * STRING_T);
    this.words = new Uint32Array(this.source.buffer, this.source.byteOffset, size * 4);
  }

  append(offset: number, count: number): void {
    const validityMask = this.sourceValidity;
    const source = this.source;
    const words = this.words;
    this.validity.appendBits(validityMask, offset, count);
    const offsets = this.offsets.reserve(count);
    let at = this.offsets.count;
    const data = this.data;
    const end = offset + count;
    let row = offset;
    while (row < end) {
      if (!isValid(validityMask, row)) {
        offsets[at++] = data.length;
        row++;
        continue;
      }
      const length = words[row * 4] as number;
      if (length <= INLINE_LIMIT) {
        let write = data.reserve(length);
        const bytes = data.bytes;
        for (let read = row * STRING_T + 4, stop = read + length; read < stop; read++) {
          bytes[write++] = source[read] as number;
        }
        data.length = write;
        offsets[at++] = write;
        row++;
        continue;
      }
      // A run of long strings stored contiguously (nulls in between add no bytes).
      let runBytes = length;
      let nextLow = ((words[row * 4 + 2] as number) + length) >>> 0;
      let nextHigh = (words[row * 4 + 3] as number) + (nextLow < length ? 1 : 0);
      let runEnd = row + 1;
      while (runEnd < end) {
        if (!isValid(validityMask, runEnd)) {
          runEnd++;
          continue;
        }
        const next = words[runEnd * 4] as number;
        if (next <= INLINE_LIMIT || words[runEnd * 4 + 2] !== nextLow || words[runEnd * 4 + 3] !== nextHigh) {
          break;
        }
        runBytes += next;
        const low = (nextLow + next) >>> 0;
        if (low < nextLow) nextHigh++;
        nextLow = low;
        runEnd++;
      }
      data.append(
        duckdb.get_data_from_pointer(
          source.buffer as ArrayBuffer,
          source.byteOffset + row * STRING_T + 8,
          runBytes,
        ),
      );
      let position = data.length - runBytes;
      for (; row < runEnd; row++) {
        if (isValid(validityMask, row)) position += words[row * 4] as number;
        offsets[at++] = position;
      }
    }
    this.offsets.count = at;
  }
}
