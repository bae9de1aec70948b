import duckdb from '@duckdb/node-bindings';
import type { DataType } from 'apache-arrow';
import { ByteBuffer } from './buffers.js';
import { NullableWriter } from './column-writer.js';
import type { BatchBody } from './ipc.js';

const EMPTY_WORDS = new Int32Array(0);

/**
 * DECIMAL(p, s) with p <= 18: DuckDB stores the unscaled value in an int16,
 * int32 or int64 by width; Arrow's Decimal128 wants 16 bytes, so each value is
 * sign-extended. (Wider decimals are already int128 and copy as bytes.)
 */
export class NarrowDecimalWriter extends NullableWriter {
  private readonly data = new ByteBuffer(64 * 1024);
  private source16: Int16Array = new Int16Array(0);
  private source32: Int32Array = EMPTY_WORDS;

  constructor(
    readonly type: DataType,
    private readonly sourceWidth: 2 | 4 | 8,
  ) {
    super();
  }

  override get byteLength(): number {
    return super.byteLength + this.data.length;
  }

  override attach(vector: duckdb.Vector, size: number): void {
    super.attach(vector, size);
    if (size === 0) return;
    const bytes = duckdb.vector_get_data(vector, size * this.sourceWidth);
    if (this.sourceWidth === 2) this.source16 = new Int16Array(bytes.buffer, bytes.byteOffset, size);
    else this.source32 = new Int32Array(bytes.buffer, bytes.byteOffset, (size * this.sourceWidth) / 4);
  }

  append(offset: number, count: number): void {
    this.validity.appendBits(this.sourceValidity, offset, count);
    const at = this.data.reserve(count * 16);
    const out = new Int32Array(this.data.bytes.buffer, at, count * 4);
    if (this.sourceWidth === 8) {
      const source = this.source32;
      for (let i = 0; i < count; i++) {
        const high = source[(offset + i) * 2 + 1] as number;
        const sign = high >> 31;
        out[i * 4] = source[(offset + i) * 2] as number;
        out[i * 4 + 1] = high;
        out[i * 4 + 2] = sign;
        out[i * 4 + 3] = sign;
      }
    } else {
      const source = this.sourceWidth === 2 ? this.source16 : this.source32;
      for (let i = 0; i < count; i++) {
        const value = source[offset + i] as number;
        const sign = value >> 31;
        out[i * 4] = value;
        out[i * 4 + 1] = sign;
        out[i * 4 + 2] = sign;
        out[i * 4 + 3] = sign;
      }
    }
    this.data.length = at + count * 16;
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
