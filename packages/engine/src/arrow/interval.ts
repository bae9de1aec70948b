import duckdb from '@duckdb/node-bindings';
import { TributaryError } from '@tributary/core';
import { IntervalMonthDayNano } from 'apache-arrow';
import { ByteBuffer } from './buffers.js';
import { isValid, NullableWriter } from './column-writer.js';
import type { BatchBody } from './ipc.js';

const MAX_MICROS = 9223372036854775n;

/**
 * INTERVAL: DuckDB's {int32 months, int32 days, int64 micros} has Arrow's
 * MonthDayNano layout except for the unit of the last field, so the months and
 * days copy as they are and the micros are scaled to nanoseconds.
 */
export class IntervalWriter extends NullableWriter {
  readonly type = new IntervalMonthDayNano();
  private readonly data = new ByteBuffer(64 * 1024);
  private words: Int32Array = new Int32Array(0);
  private micros: BigInt64Array = new BigInt64Array(0);

  override get byteLength(): number {
    return super.byteLength + this.data.length;
  }

  override attach(vector: duckdb.Vector, size: number): void {
    super.attach(vector, size);
    if (size === 0) return;
    const bytes = duckdb.vector_get_data(vector, size * 16);
    this.words = new Int32Array(bytes.buffer, bytes.byteOffset, size * 4);
    this.micros = new BigInt64Array(bytes.buffer, bytes.byteOffset, size * 2);
  }

  append(offset: number, count: number): void {
    this.validity.appendBits(this.sourceValidity, offset, count);
    const at = this.data.reserve(count * 16);
    const words = new Int32Array(this.data.bytes.buffer, at, count * 4);
    const nanos = new BigInt64Array(this.data.bytes.buffer, at, count * 2);
    for (let i = 0; i < count; i++) {
      const row = offset + i;
      words[i * 4] = this.words[row * 4] as number;
      words[i * 4 + 1] = this.words[row * 4 + 1] as number;
      if (!isValid(this.sourceValidity, row)) continue;
      const micros = this.micros[row * 2 + 1] as bigint;
      if (micros > MAX_MICROS || micros < -MAX_MICROS) {
        throw TributaryError.invalid(
          'an INTERVAL value is too large for Arrow (nanoseconds overflow 64 bits)',
        );
      }
      nanos[i * 2 + 1] = micros * 1000n;
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
