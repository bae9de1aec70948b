import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DateDay,
  Decimal,
  Field,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  TimeMicrosecond,
  TimestampMicrosecond,
  TimestampNanosecond,
  TimestampSecond,
} from 'apache-arrow';
import { decimalToString, epochToIso, JsonRowEncoder } from './json-values.js';

describe('JSON values', () => {
  const timestamps: [string, bigint, number, boolean, string][] = [
    ['seconds', 1_700_000_000n, 0, false, '2023-11-14T22:13:20'],
    ['milliseconds', 1_700_000_000_123n, 1, false, '2023-11-14T22:13:20.123'],
    ['microseconds', 1_700_000_000_123_456n, 2, false, '2023-11-14T22:13:20.123456'],
    ['nanoseconds', 1_700_000_000_123_456_789n, 3, false, '2023-11-14T22:13:20.123456789'],
    ['zoned', 1_700_000_000_000_001n, 2, true, '2023-11-14T22:13:20.000001Z'],
    ['before 1970', -1n, 2, false, '1969-12-31T23:59:59.999999'],
  ];
  for (const [name, value, unit, zoned, expected] of timestamps) {
    test(`timestamp in ${name}`, () => assert.equal(epochToIso(value, unit, zoned), expected));
  }

  const decimals: [number[], number, string][] = [
    [[12345, 0, 0, 0], 2, '123.45'],
    [[5, 0, 0, 0], 3, '0.005'],
    [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], 2, '-0.01'],
    [[0, 0, 1, 0], 0, (2n ** 64n).toString()],
  ];
  for (const [words, scale, expected] of decimals) {
    test(`decimal ${expected}`, () => assert.equal(decimalToString(new Uint32Array(words), scale), expected));
  }

  test('rows keep full timestamp precision, dates, decimals, nulls and structs', () => {
    const ts = makeData({
      type: new TimestampMicrosecond(),
      length: 2,
      nullCount: 1,
      nullBitmap: new Uint8Array([0b01]),
      data: new BigInt64Array([1_700_000_000_123_456n, 0n]),
    });
    const ns = makeData({
      type: new TimestampNanosecond('UTC'),
      length: 2,
      data: new BigInt64Array([1n, 2n]),
    });
    const secs = makeData({ type: new TimestampSecond(), length: 2, data: new BigInt64Array([0n, 86_400n]) });
    const date = makeData({ type: new DateDay(), length: 2, data: new Int32Array([0, 19_700]) });
    const time = makeData({
      type: new TimeMicrosecond(),
      length: 2,
      data: new BigInt64Array([1n, 3_600_000_000n]),
    });
    const dec = makeData({
      type: new Decimal(2, 12, 128),
      length: 2,
      data: new Uint32Array([150, 0, 0, 0, 1, 0, 0, 0]),
    });
    const child = makeData({ type: new DateDay(), length: 2, data: new Int32Array([1, 2]) });
    const struct = makeData({
      type: new Struct([new Field('d', new DateDay())]),
      length: 2,
      children: [child],
    });
    const schema = new Schema([
      new Field('ts', ts.type),
      new Field('ns', ns.type),
      new Field('secs', secs.type),
      new Field('date', date.type),
      new Field('time', time.type),
      new Field('dec', dec.type),
      new Field('s', struct.type),
    ]);
    const batch = new RecordBatch(
      schema,
      makeData({
        type: new Struct(schema.fields),
        length: 2,
        children: [ts, ns, secs, date, time, dec, struct],
      }),
    );
    const rows = [...new JsonRowEncoder(schema).rows(batch)];
    assert.deepEqual(rows, [
      {
        ts: '2023-11-14T22:13:20.123456',
        ns: '1970-01-01T00:00:00.000000001Z',
        secs: '1970-01-01T00:00:00',
        date: '1970-01-01',
        time: '00:00:00.000001',
        dec: '1.50',
        s: { d: '1970-01-02' },
      },
      {
        ts: null,
        ns: '1970-01-01T00:00:00.000000002Z',
        secs: '1970-01-02T00:00:00',
        date: '2023-12-09',
        time: '01:00:00',
        dec: '0.01',
        s: { d: '1970-01-03' },
      },
    ]);
    assert.equal(makeVector(ts).length, 2);
  });
});
