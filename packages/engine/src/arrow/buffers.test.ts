import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BitBuffer } from './buffers.js';

function bits(buffer: BitBuffer): boolean[] {
  const bytes = buffer.view();
  return Array.from(
    { length: buffer.length },
    (_, i) => (((bytes[i >>> 3] as number) >>> (i & 7)) & 1) === 1,
  );
}

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

test('BitBuffer copies validity ranges at any bit alignment and counts the zeros', () => {
  const random = seeded(7);
  const source = new Uint8Array(64);
  for (let i = 0; i < source.length; i++) source[i] = Math.floor(random() * 256);
  const sourceBit = (i: number) => (((source[i >>> 3] as number) >>> (i & 7)) & 1) === 1;

  for (let round = 0; round < 200; round++) {
    const buffer = new BitBuffer();
    const expected: boolean[] = [];
    for (let piece = 0; piece < 6; piece++) {
      const offset = Math.floor(random() * 200);
      const count = Math.floor(random() * 150);
      const kind = random();
      if (kind < 0.2) {
        buffer.appendBits(null, offset, count);
        for (let i = 0; i < count; i++) expected.push(true);
      } else if (kind < 0.3) {
        buffer.appendZeros(count);
        for (let i = 0; i < count; i++) expected.push(false);
      } else {
        // Aligned pieces take the byte-copy path, others the bit loop.
        const start = kind < 0.6 ? offset & ~7 : offset;
        buffer.appendBits(source, start, count);
        for (let i = 0; i < count; i++) expected.push(sourceBit(start + i));
      }
    }
    assert.deepEqual(bits(buffer), expected);
    assert.equal(buffer.zeros, expected.filter((bit) => !bit).length);
    buffer.reset();
    buffer.appendOnes(3);
    assert.deepEqual(bits(buffer), [true, true, true], 'reset clears old bits');
  }
});

test('BitBuffer packs DuckDB boolean bytes', () => {
  const buffer = new BitBuffer();
  buffer.appendBooleanBytes(new Uint8Array([1, 0, 1, 1, 0, 0, 0, 1, 1, 0]), 1, 9);
  assert.deepEqual(bits(buffer), [false, true, true, false, false, false, true, true, false]);
  assert.equal(buffer.zeros, 5);
});
