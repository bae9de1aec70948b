import duckdb from '@duckdb/node-bindings';
import { Utf8 } from 'apache-arrow';
import { EMPTY, isValid } from './column-writer.js';
import { VarBinaryWriter } from './var-binary.js';

const HEX = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  const digits = i.toString(16).padStart(2, '0');
  HEX[i * 2] = digits.charCodeAt(0);
  HEX[i * 2 + 1] = digits.charCodeAt(1);
}
const DASH = 0x2d;
const UUID_LENGTH = 36;

/**
 * UUID → Utf8 in canonical form. DuckDB stores a UUID as an int128 (lower
 * uint64, upper int64, little-endian) with the top bit flipped so that signed
 * order matches UUID order; the text is the 16 bytes from the most
 * significant down, with that bit flipped back.
 */
export class UuidWriter extends VarBinaryWriter {
  readonly type = new Utf8();
  private source: Uint8Array = EMPTY;

  override attach(vector: duckdb.Vector, size: number): void {
    super.attach(vector, size);
    if (size > 0) this.source = duckdb.vector_get_data(vector, size * 16);
  }

  append(offset: number, count: number): void {
    const mask = this.sourceValidity;
    const source = this.source;
    this.validity.appendBits(mask, offset, count);
    const offsets = this.offsets.reserve(count);
    let at = this.offsets.count;
    for (let row = offset, end = offset + count; row < end; row++) {
      if (isValid(mask, row)) {
        let write = this.data.reserve(UUID_LENGTH);
        const out = this.data.bytes;
        const base = row * 16;
        for (let byte = 15; byte >= 0; byte--) {
          const value = (source[base + byte] as number) ^ (byte === 15 ? 0x80 : 0);
          out[write++] = HEX[value * 2] as number;
          out[write++] = HEX[value * 2 + 1] as number;
          // Dashes after bytes 15..12, 11..10, 9..8 and 7..6 (8-4-4-4-12 digits).
          if (byte === 12 || byte === 10 || byte === 8 || byte === 6) out[write++] = DASH;
        }
        this.data.length = write;
      }
      offsets[at++] = this.data.length;
    }
    this.offsets.count = at;
  }
}
