/**
 * Growable scratch buffers. A column writer keeps its buffers across batches
 * and only resets their lengths, so a long result allocates once per column
 * instead of once per batch; the IPC encoder copies the bytes out.
 */
export class ByteBuffer {
  bytes: Uint8Array;
  length = 0;

  constructor(initialCapacity = 1024) {
    this.bytes = new Uint8Array(initialCapacity);
  }

  /** Makes room for `extra` more bytes and returns the write position. */
  reserve(extra: number): number {
    const needed = this.length + extra;
    if (needed > this.bytes.length) {
      let capacity = this.bytes.length * 2;
      while (capacity < needed) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    return this.length;
  }

  append(source: Uint8Array): void {
    const at = this.reserve(source.byteLength);
    this.bytes.set(source, at);
    this.length = at + source.byteLength;
  }

  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }
}

/** Int32 offsets for variable-length layouts (Utf8, Binary, List); starts with the leading 0. */
export class OffsetBuffer {
  values = new Int32Array(1024);
  /** Number of offsets written, including the leading 0. */
  count = 1;

  reserve(extra: number): Int32Array {
    const needed = this.count + extra;
    if (needed > this.values.length) {
      let capacity = this.values.length * 2;
      while (capacity < needed) capacity *= 2;
      const grown = new Int32Array(capacity);
      grown.set(this.values.subarray(0, this.count));
      this.values = grown;
    }
    return this.values;
  }

  get last(): number {
    return this.values[this.count - 1] as number;
  }

  view(): Uint8Array {
    return new Uint8Array(this.values.buffer, 0, this.count * 4);
  }

  reset(): void {
    this.count = 1;
  }
}

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + (POPCOUNT[i >> 1] as number);

/**
 * A bitmap in Arrow's order (least significant bit first), used for validity
 * and for boolean values. DuckDB's validity masks use the same bit order, so
 * aligned ranges copy as bytes.
 */
export class BitBuffer {
  bytes = new Uint8Array(256);
  length = 0;
  /** Cleared bits so far: the null count when this is a validity bitmap. */
  zeros = 0;

  private reserve(extraBits: number): void {
    const neededBytes = (this.length + extraBits + 7) >>> 3;
    if (neededBytes > this.bytes.length) {
      let capacity = this.bytes.length * 2;
      while (capacity < neededBytes) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.bytes.subarray(0, (this.length + 7) >>> 3));
      this.bytes = grown;
    }
  }

  /** Appends `count` set bits. */
  appendOnes(count: number): void {
    if (count <= 0) return;
    this.reserve(count);
    const bytes = this.bytes;
    let bit = this.length;
    const end = bit + count;
    while (bit < end && (bit & 7) !== 0) {
      bytes[bit >>> 3] = (bytes[bit >>> 3] as number) | (1 << (bit & 7));
      bit++;
    }
    const wholeEnd = end & ~7;
    if (bit < wholeEnd) {
      bytes.fill(0xff, bit >>> 3, wholeEnd >>> 3);
      bit = wholeEnd;
    }
    if (bit < end) bytes[bit >>> 3] = (1 << (end - bit)) - 1;
    this.length = end;
  }

  /** Appends `count` cleared bits. */
  appendZeros(count: number): void {
    if (count <= 0) return;
    this.reserve(count);
    // Bytes past `length` are kept zeroed (see reset), so only the length moves.
    this.length += count;
    this.zeros += count;
  }

  /**
   * Appends bits [offset, offset + count) of a DuckDB validity mask; a null
   * mask means every row is valid.
   */
  appendBits(source: Uint8Array | null, offset: number, count: number): void {
    if (source === null) {
      this.appendOnes(count);
      return;
    }
    if (count <= 0) return;
    this.reserve(count);
    const bytes = this.bytes;
    let ones = 0;
    if ((offset & 7) === 0 && (this.length & 7) === 0) {
      const from = offset >>> 3;
      const to = this.length >>> 3;
      const whole = count >>> 3;
      for (let i = 0; i < whole; i++) {
        const byte = source[from + i] as number;
        bytes[to + i] = byte;
        ones += POPCOUNT[byte] as number;
      }
      const rest = count & 7;
      if (rest > 0) {
        const byte = (source[from + whole] as number) & ((1 << rest) - 1);
        bytes[to + whole] = byte;
        ones += POPCOUNT[byte] as number;
      }
    } else {
      let target = this.length;
      for (let i = offset, end = offset + count; i < end; i++, target++) {
        if (((source[i >>> 3] as number) >>> (i & 7)) & 1) {
          bytes[target >>> 3] = (bytes[target >>> 3] as number) | (1 << (target & 7));
          ones++;
        }
      }
    }
    this.length += count;
    this.zeros += count - ones;
  }

  /** Appends one bit per byte of `source` (DuckDB stores a BOOLEAN in a byte). */
  appendBooleanBytes(source: Uint8Array, offset: number, count: number): void {
    if (count <= 0) return;
    this.reserve(count);
    const bytes = this.bytes;
    let target = this.length;
    let ones = 0;
    for (let i = offset, end = offset + count; i < end; i++, target++) {
      if (source[i] !== 0) {
        bytes[target >>> 3] = (bytes[target >>> 3] as number) | (1 << (target & 7));
        ones++;
      }
    }
    this.length += count;
    this.zeros += count - ones;
  }

  view(): Uint8Array {
    return this.bytes.subarray(0, (this.length + 7) >>> 3);
  }

  reset(): void {
    this.bytes.fill(0, 0, (this.length + 7) >>> 3);
    this.length = 0;
    this.zeros = 0;
  }
}
