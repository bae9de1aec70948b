import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  Binary,
  Bool,
  type Data,
  type DataType,
  DateDay,
  DateMillisecond,
  Decimal,
  DenseUnion,
  Dictionary,
  DurationMicrosecond,
  DurationNanosecond,
  DurationSecond,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Float16,
  Float32,
  Float64,
  Int8,
  Int32,
  Int64,
  IntervalDayTime,
  IntervalMonthDayNano,
  IntervalYearMonth,
  LargeBinary,
  LargeList,
  LargeUtf8,
  List,
  Map_,
  makeData,
  makeVector,
  Null,
  RecordBatch,
  Schema,
  SparseUnion,
  Struct,
  Table,
  TimeMicrosecond,
  TimeMillisecond,
  TimeNanosecond,
  TimeSecond,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  tableFromIPC,
  tableToIPC,
  Uint8,
  Uint64,
  Utf8,
  Utf8View,
  Vector,
  vectorFromArray,
} from 'apache-arrow';
import {
  daysToIsoDate,
  decimalToString,
  epochToIso,
  isoDuration,
  JsonRowEncoder,
  type JsonValue,
  type RowObject,
  timeOfDay,
} from './json-values.js';

// ---------------------------------------------------------------- helpers

function batchOf(columns: Record<string, Data>): RecordBatch {
  const fields = Object.entries(columns).map(([name, data]) => new Field(name, data.type, true));
  const children = Object.values(columns);
  const length = Math.max(0, ...children.map((data) => data.length));
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length, children }));
}

function encode(batch: RecordBatch): RowObject[] {
  return [...new JsonRowEncoder(batch.schema).rows(batch)];
}

/** The batch written as an Arrow IPC stream and read back, as the HTTP API and CLI see it. */
function viaIpc(batch: RecordBatch): RecordBatch {
  const [read] = tableFromIPC(tableToIPC(new Table([batch]), 'stream')).batches;
  assert.ok(read);
  return read;
}

/** The JSON values of one column, checked to be the same after an IPC round trip. */
function values(data: Data, ipc = true): JsonValue[] {
  const batch = batchOf({ v: data });
  const direct = encode(batch).map((row) => row.v as JsonValue);
  if (ipc)
    assert.deepEqual(
      encode(viaIpc(batch)).map((row) => row.v),
      direct,
      'the same after IPC',
    );
  return direct;
}

function bitmap(valid: boolean[]): Uint8Array {
  const bits = new Uint8Array(Math.ceil(valid.length / 8) + 8);
  valid.forEach((ok, i) => {
    if (ok) bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
  });
  return bits;
}

function listOf(child: Data, offsets: number[], valid?: boolean[]): Data {
  return makeData({
    type: new List(new Field('item', child.type, true)),
    length: offsets.length - 1,
    valueOffsets: new Int32Array(offsets),
    child,
    ...(valid ? { nullBitmap: bitmap(valid) } : {}),
  });
}

function structOf(children: Record<string, Data>, valid?: boolean[]): Data {
  const fields = Object.entries(children).map(([name, data]) => new Field(name, data.type, true));
  return makeData({
    type: new Struct(fields),
    length: Math.max(...Object.values(children).map((data) => data.length)),
    children: Object.values(children),
    ...(valid ? { nullBitmap: bitmap(valid) } : {}),
  });
}

function mapOf(keys: Data, items: Data, offsets: number[]): Data {
  const entries = makeData({
    type: new Struct([new Field('key', keys.type, false), new Field('value', items.type, true)]),
    length: keys.length,
    children: [keys, items],
  });
  return makeData({
    type: new Map_(new Field('entries', entries.type, false)),
    length: offsets.length - 1,
    valueOffsets: new Int32Array(offsets),
    child: entries,
  });
}

function utf8(strings: (string | null)[]): Data {
  return vectorFromArray(strings, new Utf8()).data[0] as Data;
}

function int32(numbers: (number | null)[]): Data {
  return vectorFromArray(numbers, new Int32()).data[0] as Data;
}

function bigints(type: DataType, numbers: bigint[], valid?: boolean[]): Data {
  const ArrayType = type instanceof Uint64 ? BigUint64Array : BigInt64Array;
  return makeData({
    type: type as TimestampMicrosecond,
    length: numbers.length,
    data: new ArrayType(numbers) as BigInt64Array,
    ...(valid ? { nullBitmap: bitmap(valid) } : {}),
  });
}

/** Decimal128 words (little-endian, two's complement) of each value. */
function decimals(scale: number, numbers: bigint[], bitWidth = 128, valid?: boolean[]): Data {
  const stride = bitWidth / 32;
  const words = new Uint32Array(numbers.length * stride);
  numbers.forEach((value, i) => {
    let rest = BigInt.asUintN(bitWidth, value);
    for (let k = 0; k < stride; k++, rest >>= 32n) words[i * stride + k] = Number(rest & 0xffffffffn);
  });
  return makeData({
    type: new Decimal(scale, 38, bitWidth),
    length: numbers.length,
    data: words,
    ...(valid ? { nullBitmap: bitmap(valid) } : {}),
  });
}

/** Epoch microseconds of an ISO instant ('Z' appended), plus `extra` µs. */
function micros(iso: string, extra = 0n): bigint {
  return BigInt(Date.parse(`${iso}Z`)) * 1000n + extra;
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const SAFE = 2n ** 53n - 1n;

/** days_from_civil (bigint), the inverse of the encoder's calendar — an independent check. */
function daysFromCivil(year: bigint, month: bigint, day: bigint): bigint {
  const y = month <= 2n ? year - 1n : year;
  const era = (y >= 0n ? y : y - 399n) / 400n;
  const yearOfEra = y - era * 400n;
  const dayOfYear = (153n * (month > 2n ? month - 3n : month + 9n) + 2n) / 5n + day - 1n;
  const dayOfEra = yearOfEra * 365n + yearOfEra / 4n - yearOfEra / 100n + dayOfYear;
  return era * 146_097n + dayOfEra - 719_468n;
}

const ISO_INSTANT = /^([+-]\d{6,}|\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z?)$/;

/** Parses the encoder's ISO 8601 back into an epoch value in `unit`. */
function parseInstant(text: string, unit: number): bigint {
  const match = ISO_INSTANT.exec(text);
  assert.ok(match, `ISO 8601: ${text}`);
  const [, year, month, day, hours, minutes, seconds, fraction = ''] = match;
  const digits = [0, 3, 6, 9][unit] as number;
  if (fraction) assert.equal(fraction.length, digits, `fraction digits of ${text}`);
  const days = daysFromCivil(BigInt(year as string), BigInt(month as string), BigInt(day as string));
  const secs =
    days * 86_400n +
    BigInt(hours as string) * 3600n +
    BigInt(minutes as string) * 60n +
    BigInt(seconds as string);
  return secs * 10n ** BigInt(digits) + BigInt(fraction || '0');
}

/** Random 64-bit values, plus the edges of every fast path. */
function int64Samples(count: number): bigint[] {
  const random = [...new BigInt64Array(randomBytes(count * 8).buffer)];
  const scaled = random.slice(0, count / 2).map((value) => value >> BigInt(Number(BigInt.asUintN(6, value))));
  const edges = [0n, 1n, -1n, SAFE, -SAFE, SAFE + 1n, -SAFE - 1n, SAFE + 2n, 2n ** 53n - 2n ** 32n];
  const moreEdges = [
    -(2n ** 53n) + 2n ** 32n,
    -(2n ** 53n) + 2n ** 32n - 1n,
    INT64_MIN,
    INT64_MIN + 2n,
    INT64_MAX - 1n,
  ];
  return [...random, ...scaled, ...edges, ...moreEdges];
}

// ---------------------------------------------------------------- tests

describe('JSON values', () => {
  const timestamps: [string, bigint, number, boolean, string][] = [
    ['seconds', 1_700_000_000n, 0, false, '2023-11-14T22:13:20'],
    ['milliseconds', 1_700_000_000_123n, 1, false, '2023-11-14T22:13:20.123'],
    ['microseconds', 1_700_000_000_123_456n, 2, false, '2023-11-14T22:13:20.123456'],
    ['nanoseconds', 1_700_000_000_123_456_789n, 3, false, '2023-11-14T22:13:20.123456789'],
    ['zoned', 1_700_000_000_000_001n, 2, true, '2023-11-14T22:13:20.000001Z'],
    ['before 1970', -1n, 2, false, '1969-12-31T23:59:59.999999'],
    [
      '9999-12-31 23:59:59.999999',
      micros('9999-12-31T23:59:59', 999_999n),
      2,
      false,
      '9999-12-31T23:59:59.999999',
    ],
    [
      'year 10000 (extended form)',
      micros('9999-12-31T23:59:59', 1_000_000n),
      2,
      false,
      '+010000-01-01T00:00:00',
    ],
    ['year 0', micros('0000-01-01T00:00:00'), 2, false, '0000-01-01T00:00:00'],
    ['year -1', micros('0000-01-01T00:00:00', -1n), 2, false, '-000001-12-31T23:59:59.999999'],
    ['int64 max - 1 µs', INT64_MAX - 1n, 2, false, '+294247-01-10T04:00:54.775806'],
    ['int64 min µs', INT64_MIN, 2, false, '-290308-12-21T19:59:05.224192'],
    ['int64 max - 1 s', INT64_MAX - 1n, 0, false, '+292277026596-12-04T15:30:06'],
    ['DuckDB infinity', INT64_MAX, 2, false, 'infinity'],
    ['DuckDB -infinity', -INT64_MAX, 3, true, '-infinity'],
  ];
  for (const [name, value, unit, zoned, expected] of timestamps) {
    test(`timestamp in ${name}`, () => assert.equal(epochToIso(value, unit, zoned), expected));
  }

  test('epochToIso agrees with Date within its range, and its ISO text parses back to the same value', () => {
    for (let n = 0; n < 2000; n++) {
      const ms = Math.round((Math.random() * 2 - 1) * 8.64e15);
      const expected = new Date(ms).toISOString().replace('.000Z', 'Z');
      assert.equal(epochToIso(BigInt(ms), 1, true), expected);
    }
    for (const unit of [0, 1, 2, 3]) {
      for (const value of int64Samples(400)) {
        if (value === INT64_MAX || value === -INT64_MAX) continue;
        assert.equal(parseInstant(epochToIso(value, unit, false), unit), value, `${value} in unit ${unit}`);
      }
    }
  });

  test('daysToIsoDate agrees with Date, and with days_from_civil far beyond it', () => {
    for (let n = 0; n < 2000; n++) {
      const days = Math.round((Math.random() * 2 - 1) * 1e8);
      assert.equal(daysToIsoDate(days), new Date(days * 86_400_000).toISOString().split('T')[0]);
    }
    assert.equal(daysToIsoDate(100_000_000), '+275760-09-13');
    assert.equal(daysToIsoDate(-100_000_000), '-271821-04-20');
    for (const days of [100_000_001, -100_000_001, 2_147_483_647, -2_147_483_648, 106_751_991_167_300]) {
      const text = daysToIsoDate(days);
      const [, year, month, day] = /^([+-]\d{6,}|\d{4})-(\d{2})-(\d{2})$/.exec(text) ?? [];
      assert.ok(year && month && day, text);
      assert.equal(daysFromCivil(BigInt(year), BigInt(month), BigInt(day)), BigInt(days), text);
    }
  });

  const decimalCases: [number[], number, string][] = [
    [[12345, 0, 0, 0], 2, '123.45'],
    [[5, 0, 0, 0], 3, '0.005'],
    [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], 2, '-0.01'],
    [[0, 0, 1, 0], 0, (2n ** 64n).toString()],
    [[12, 0, 0, 0], -2, '1200'],
  ];
  for (const [words, scale, expected] of decimalCases) {
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
    const batch = batchOf({ ts, ns, secs, date, time, dec, s: struct });
    const expected = [
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
    ];
    assert.deepEqual(encode(batch), expected);
    assert.deepEqual(encode(viaIpc(batch)), expected);
    assert.equal(makeVector(ts).length, 2);
  });

  describe('timestamps and times nested in lists, structs and maps', () => {
    const far = [
      micros('2500-06-15T12:00:00', 7n),
      micros('9999-12-31T23:59:59', 999_999n),
      0n,
      micros('1969-12-31T23:59:59', 999_999n),
      INT64_MAX,
    ];
    const farText = [
      '2500-06-15T12:00:00.000007',
      '9999-12-31T23:59:59.999999',
      null,
      '1969-12-31T23:59:59.999999',
      'infinity',
    ];

    test('TIMESTAMP inside a LIST keeps its microseconds in any year, and its nulls', () => {
      const child = bigints(new TimestampMicrosecond(), far, [true, true, false, true, true]);
      const list = listOf(child, [0, 2, 2, 5, 5], [true, true, true, false]);
      assert.deepEqual(values(list), [farText.slice(0, 2), [], farText.slice(2), null]);
    });

    test('LargeList and FixedSizeList of timestamps', () => {
      const child = bigints(new TimestampNanosecond('UTC'), [1n, -1n, INT64_MAX - 1n]);
      const large = makeData({
        type: new LargeList(new Field('item', child.type, true)),
        length: 2,
        valueOffsets: new BigInt64Array([0n, 1n, 3n]),
        child,
      });
      assert.deepEqual(values(large, false), [
        ['1970-01-01T00:00:00.000000001Z'],
        ['1969-12-31T23:59:59.999999999Z', '2262-04-11T23:47:16.854775806Z'],
      ]);
      const fixed = makeData({
        type: new FixedSizeList(1, new Field('item', child.type, true)),
        length: 3,
        child,
      });
      assert.deepEqual(values(fixed), [
        ['1970-01-01T00:00:00.000000001Z'],
        ['1969-12-31T23:59:59.999999999Z'],
        ['2262-04-11T23:47:16.854775806Z'],
      ]);
    });

    test('TIMESTAMP inside a STRUCT, with struct and field nulls', () => {
      const t = bigints(new TimestampMicrosecond(), far.slice(0, 3), [true, true, false]);
      const ms = bigints(new TimestampMillisecond(), [1n, 2n, 3n]);
      const struct = structOf({ t, ms }, [true, false, true]);
      assert.deepEqual(values(struct), [
        { t: '2500-06-15T12:00:00.000007', ms: '1970-01-01T00:00:00.001' },
        null,
        { t: null, ms: '1970-01-01T00:00:00.003' },
      ]);
    });

    test('TIMESTAMP as a MAP value', () => {
      const map = mapOf(utf8(['a', 'b']), bigints(new TimestampMicrosecond(), far.slice(0, 2)), [0, 2]);
      assert.deepEqual(values(map), [{ a: farText[0], b: farText[1] }]);
    });

    test('TIME inside a LIST or STRUCT is HH:MM:SS[.fraction], like a top-level TIME', () => {
      const us = bigints(new TimeMicrosecond(), [3_723_000_004n, 86_400_000_000n, 0n]);
      assert.deepEqual(values(listOf(us, [0, 3])), [['01:02:03.000004', '24:00:00', '00:00:00']]);
      const ms = makeData({ type: new TimeMillisecond(), length: 2, data: new Int32Array([45_296_789, 1]) });
      const s = makeData({ type: new TimeSecond(), length: 2, data: new Int32Array([59, 3661]) });
      const ns = bigints(new TimeNanosecond(), [1n, 43_200_500_000_000n]);
      assert.deepEqual(values(structOf({ ms, s, ns })), [
        { ms: '12:34:56.789', s: '00:00:59', ns: '00:00:00.000000001' },
        { ms: '00:00:00.001', s: '01:01:01', ns: '12:00:00.500000000' },
      ]);
    });

    test('sliced batches keep offsets and nulls of nested data', () => {
      const child = bigints(new TimestampMicrosecond(), far, [true, true, false, true, true]);
      const list = listOf(child, [0, 2, 2, 5, 5], [true, true, true, false]);
      const t = bigints(new TimeMicrosecond(), [1n, 2n, 3n, 4n], [true, false, true, true]);
      const struct = structOf({ t }, [true, true, false, true]);
      const batch = batchOf({ list, struct });
      const all = encode(batch);
      assert.deepEqual(encode(batch.slice(1, 3)), all.slice(1, 3));
      assert.deepEqual(encode(batch.slice(3)), [{ list: null, struct: { t: '00:00:00.000004' } }]);
      assert.deepEqual(all[2], { list: farText.slice(2), struct: null });
      assert.deepEqual(encode(viaIpc(batch.slice(1, 3))), all.slice(1, 3));
    });

    test('a list of structs of lists', () => {
      const inner = listOf(bigints(new TimestampSecond(), [0n, 60n, 120n]), [0, 1, 3]);
      const list = listOf(structOf({ l: inner, n: int32([7, null]) }), [0, 2]);
      assert.deepEqual(values(list), [
        [
          { l: ['1970-01-01T00:00:00'], n: 7 },
          { l: ['1970-01-01T00:01:00', '1970-01-01T00:02:00'], n: null },
        ],
      ]);
    });
  });

  describe('decimals and HUGEINT', () => {
    test('scale 0 within ±(2^53 − 1) is a number; beyond, an exact string', () => {
      const numbers = [
        42n,
        -42n,
        0n,
        SAFE,
        -SAFE,
        SAFE + 1n,
        -SAFE - 1n,
        2n ** 64n,
        -(2n ** 127n),
        2n ** 127n - 1n,
      ];
      const expected = [42, -42, 0, Number(SAFE), -Number(SAFE), ...numbers.slice(5).map(String)];
      assert.deepEqual(values(decimals(0, numbers)), expected);
      assert.deepEqual(values(decimals(0, numbers, 256), false), expected);
      assert.deepEqual(values(decimals(0, numbers.slice(0, 7), 64), false), expected.slice(0, 7));
      for (const edge of [2n ** 53n - 2n ** 32n, -(2n ** 53n) + 2n ** 32n, -(2n ** 53n) + 2n ** 32n - 1n]) {
        assert.deepEqual(values(decimals(0, [edge])), [Number(edge)]);
      }
    });

    test('scale > 0 is always an exact string; a negative scale is an integer', () => {
      assert.deepEqual(values(decimals(2, [42n, -5n, 0n, 2n ** 100n], 128, [true, true, true, false])), [
        '0.42',
        '-0.05',
        '0.00',
        null,
      ]);
      assert.deepEqual(values(decimals(-3, [42n, 2n ** 60n]), false), [
        42_000,
        (2n ** 60n * 1000n).toString(),
      ]);
    });

    test('nested HUGEINTs follow the same rule', () => {
      assert.deepEqual(values(listOf(decimals(0, [1n, 2n ** 70n]), [0, 2])), [[1, (2n ** 70n).toString()]]);
    });
  });

  describe('infinite and out-of-range dates and timestamps', () => {
    test('DATE ±infinity and dates beyond JS Date', () => {
      const date = makeData({
        type: new DateDay(),
        length: 6,
        data: new Int32Array([
          2_147_483_647, -2_147_483_647, -2_147_483_648, 100_000_000, 100_000_001, -719_529,
        ]),
      });
      assert.deepEqual(values(date), [
        'infinity',
        '-infinity',
        '-5877641-06-23',
        '+275760-09-13',
        '+275760-09-14',
        '-000001-12-31',
      ]);
      assert.deepEqual(values(listOf(date, [0, 2])), [['infinity', '-infinity']]);
    });

    test('Date64 (milliseconds)', () => {
      const date = bigints(new DateMillisecond(), [
        0n,
        -1n,
        86_400_000n * 100_000_001n,
        INT64_MAX,
        -INT64_MAX,
        INT64_MIN,
      ]);
      assert.deepEqual(values(date), [
        '1970-01-01',
        '1969-12-31',
        '+275760-09-14',
        'infinity',
        '-infinity',
        '-292275055-05-16',
      ]);
    });

    test('TIMESTAMP ±infinity in every unit, and int64 extremes', () => {
      for (const type of [
        new TimestampSecond(),
        new TimestampMillisecond(),
        new TimestampMicrosecond('UTC'),
        new TimestampNanosecond(),
      ]) {
        const [inf, minusInf, min] = values(bigints(type, [INT64_MAX, -INT64_MAX, INT64_MIN])) as string[];
        assert.equal(inf, 'infinity');
        assert.equal(minusInf, '-infinity');
        assert.equal(parseInstant(min as string, type.unit), INT64_MIN, String(min));
      }
      assert.deepEqual(values(listOf(bigints(new TimestampMicrosecond(), [-INT64_MAX]), [0, 1])), [
        ['-infinity'],
      ]);
    });

    test('no bit pattern of a fixed-width type throws', () => {
      const rows = 512;
      const types: [DataType, number][] = [
        [new DateDay(), 4],
        [new DateMillisecond(), 8],
        [new TimestampSecond(), 8],
        [new TimestampMillisecond(), 8],
        [new TimestampMicrosecond('UTC'), 8],
        [new TimestampNanosecond(), 8],
        [new TimeSecond(), 4],
        [new TimeMillisecond(), 4],
        [new TimeMicrosecond(), 8],
        [new TimeNanosecond(), 8],
        [new DurationSecond(), 8],
        [new DurationNanosecond(), 8],
        [new IntervalMonthDayNano(), 16],
        [new IntervalDayTime(), 8],
        [new IntervalYearMonth(), 4],
        [new Decimal(0, 38, 128), 16],
        [new Decimal(5, 76, 256), 32],
        [new Int64(), 8],
        [new Uint64(), 8],
        [new Float16(), 2],
        [new Float64(), 8],
      ];
      for (const [type, width] of types) {
        const bytes = new Uint8Array(randomBytes(rows * width));
        bytes.fill(0xff, 0, width);
        bytes.fill(0x00, width, 2 * width);
        bytes.fill(0x00, 2 * width, 3 * width);
        bytes[3 * width - 1] = 0x80;
        bytes.fill(0xff, 3 * width, 4 * width);
        bytes[4 * width - 1] = 0x7f;
        const ArrayType = (type as unknown as { ArrayType: new (buffer: ArrayBuffer) => Int32Array })
          .ArrayType;
        const data = makeData({ type: type as DateDay, length: rows, data: new ArrayType(bytes.buffer) });
        const out = values(data, false);
        assert.equal(out.length, rows);
        for (const value of out)
          assert.ok(typeof value === 'string' || typeof value === 'number', String(type));
        JSON.stringify(out);
      }
    });
  });

  describe('intervals and durations are ISO 8601 durations', () => {
    test('isoDuration', () => {
      assert.equal(isoDuration(1, 2, 3_500_000_000, 3), 'P1M2DT3.5S');
      assert.equal(isoDuration(0, 0, 0, 3), 'PT0S');
      assert.equal(isoDuration(-1, 0, 0, 3), 'P-1M');
      assert.equal(isoDuration(14, 0, 0, 3), 'P1Y2M');
      assert.equal(isoDuration(-14, 0, 0, 3), 'P-1Y-2M');
      assert.equal(isoDuration(0, 1, 0, 3), 'P1D');
      assert.equal(isoDuration(0, -3, -5_400_000_000_000, 3), 'P-3DT-1H-30M');
      assert.equal(isoDuration(0, 0, 90_061_000_001, 2), 'PT25H1M1.000001S');
      assert.equal(isoDuration(0, 0, INT64_MAX, 3), 'PT2562047H47M16.854775807S');
      assert.equal(isoDuration(0, 0, INT64_MIN, 3), 'PT-2562047H-47M-16.854775808S');
      assert.equal(isoDuration(0, 0, INT64_MAX, 0), 'PT2562047788015215H30M7S');
    });

    test('Interval MonthDayNano, DayTime and YearMonth; Duration', () => {
      const nanos = (value: bigint) => [Number(BigInt.asIntN(32, value)), Number(value >> 32n)];
      const mdn = makeData({
        type: new IntervalMonthDayNano(),
        length: 5,
        data: new Int32Array([
          ...[1, 2, ...nanos(3_500_000_000n)],
          ...[0, 0, 0, 0],
          ...[-1, 0, 0, 0],
          ...[0, 1, 0, 0],
          ...[0, 0, ...nanos(-(10n ** 18n) - 1n)],
        ]),
        nullBitmap: bitmap([true, true, true, false, true]),
      });
      assert.deepEqual(values(mdn), ['P1M2DT3.5S', 'PT0S', 'P-1M', null, 'PT-277777H-46M-40.000000001S']);
      assert.deepEqual(values(listOf(mdn, [0, 1])), [['P1M2DT3.5S']]);
      const dayTime = makeData({
        type: new IntervalDayTime(),
        length: 2,
        data: new Int32Array([1, 500, 0, -1]),
      });
      assert.deepEqual(values(dayTime), ['P1DT0.5S', 'PT-0.001S']);
      const yearMonth = makeData({
        type: new IntervalYearMonth(),
        length: 2,
        data: new Int32Array([25, -3]),
      });
      assert.deepEqual(values(yearMonth), ['P2Y1M', 'P-3M']);
      const duration = bigints(new DurationMicrosecond(), [1_500_000n, -60_000_000n, 0n]);
      assert.deepEqual(values(duration), ['PT1.5S', 'PT-1M', 'PT0S']);
    });

    test('timeOfDay', () => {
      assert.equal(timeOfDay(3_723_000_004n, 2), '01:02:03.000004');
      assert.equal(timeOfDay(86_400_000_000n, 2), '24:00:00');
      assert.equal(timeOfDay(-1n, 2), '-00:00:00.000001');
      assert.equal(timeOfDay(INT64_MAX, 3), '2562047:47:16.854775807');
    });
  });

  describe('other types', () => {
    test('Int64 and Uint64: numbers within ±(2^53 − 1), exact strings beyond', () => {
      const signed = [
        0n,
        -1n,
        SAFE,
        -SAFE,
        SAFE + 1n,
        -SAFE - 1n,
        INT64_MIN,
        INT64_MAX,
        2n ** 53n - 2n ** 32n,
      ];
      assert.deepEqual(
        values(bigints(new Int64(), signed)),
        signed.map((v) => (v >= -SAFE && v <= SAFE ? Number(v) : v.toString())),
      );
      const unsigned = [0n, SAFE, SAFE + 1n, 2n ** 63n, 2n ** 64n - 1n];
      assert.deepEqual(values(bigints(new Uint64(), unsigned)), [
        0,
        Number(SAFE),
        ...unsigned.slice(2).map(String),
      ]);
      for (const value of int64Samples(200)) {
        const [json] = values(bigints(new Int64(), [value]), false);
        assert.equal(BigInt(json as number | string), value);
        assert.equal(typeof json, value >= -SAFE && value <= SAFE ? 'number' : 'string');
      }
    });

    test('small integers, with nulls', () => {
      const int8 = makeData({
        type: new Int8(),
        length: 3,
        data: new Int8Array([-128, 0, 127]),
        nullBitmap: bitmap([true, false, true]),
      });
      assert.deepEqual(values(int8), [-128, null, 127]);
      assert.deepEqual(
        values(makeData({ type: new Uint8(), length: 1, data: new Uint8Array([255]) })),
        [255],
      );
    });

    test('floats: NaN and ±Infinity are strings', () => {
      const f64 = makeData({
        type: new Float64(),
        length: 5,
        data: new Float64Array([1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0]),
      });
      assert.deepEqual(values(f64), [1.5, 'NaN', 'Infinity', '-Infinity', -0]);
      const f32 = makeData({ type: new Float32(), length: 2, data: new Float32Array([0.5, Number.NaN]) });
      assert.deepEqual(values(listOf(f32, [0, 2])), [[0.5, 'NaN']]);
      const f16 = makeData({
        type: new Float16(),
        length: 6,
        data: new Uint16Array([0x3c00, 0xc000, 0x7c00, 0xfc00, 0x7e00, 0x0001]),
      });
      assert.deepEqual(values(f16), [1, -2, 'Infinity', '-Infinity', 'NaN', 2 ** -24]);
    });

    test('booleans, including sliced ones', () => {
      const bools = vectorFromArray(
        [true, false, null, true, true, false, false, true, false, true],
        new Bool(),
      );
      const data = bools.data[0] as Data;
      const expected = [true, false, null, true, true, false, false, true, false, true];
      assert.deepEqual(values(data), expected);
      assert.deepEqual(values(data.slice(3, 6)), expected.slice(3, 9));
    });

    test('the Null type', () => {
      assert.deepEqual(values(makeData({ type: new Null(), length: 2 })), [null, null]);
    });

    test('strings: UTF-8, empty, large, LargeUtf8 and Utf8View', () => {
      const big = 'x'.repeat(3_000_000);
      assert.deepEqual(values(utf8(['naïve 🚀', '', null, big])), ['naïve 🚀', '', null, big]);
      const text = Buffer.from('héllo wörld');
      const large = makeData({
        type: new LargeUtf8(),
        length: 2,
        data: new Uint8Array(text),
        valueOffsets: new BigInt64Array([0n, 6n, BigInt(text.length)]),
      });
      assert.deepEqual(values(large, false), ['héllo', ' wörld']);
      const views = new Uint8Array(32);
      const viewBytes = new DataView(views.buffer);
      viewBytes.setInt32(0, 3, true);
      views.set(Buffer.from('abc'), 4);
      const long = Buffer.from('a string longer than twelve bytes');
      viewBytes.setInt32(16, long.length, true);
      viewBytes.setInt32(24, 0, true);
      viewBytes.setInt32(28, 0, true);
      const view = makeData({
        type: new Utf8View(),
        length: 2,
        views,
        variadicBuffers: [new Uint8Array(long)],
      });
      assert.deepEqual(values(view, false), ['abc', long.toString()]);
    });

    test('binary is base64: Binary, LargeBinary, FixedSizeBinary', () => {
      const bytes = new Uint8Array([0x00, 0x01, 0xfe, 0xff, 0x41]);
      const binary = makeData({
        type: new Binary(),
        length: 3,
        data: bytes,
        valueOffsets: new Int32Array([0, 4, 4, 5]),
        nullBitmap: bitmap([true, false, true]),
      });
      assert.deepEqual(values(binary), ['AAH+/w==', null, 'QQ==']);
      const large = makeData({
        type: new LargeBinary(),
        length: 1,
        data: bytes,
        valueOffsets: new BigInt64Array([0n, 4n]),
      });
      assert.deepEqual(values(large, false), ['AAH+/w==']);
      const fixed = makeData({ type: new FixedSizeBinary(2), length: 2, data: bytes.subarray(0, 4) });
      assert.deepEqual(values(fixed), ['AAE=', '/v8=']);
    });

    test('FixedSizeList (DuckDB ARRAY) with null elements and null lists', () => {
      const child = int32([1, 2, null, 4, 5, 6]);
      const fixed = makeData({
        type: new FixedSizeList(2, new Field('item', child.type, true)),
        length: 3,
        child,
        nullBitmap: bitmap([true, true, false]),
      });
      assert.deepEqual(values(fixed), [[1, 2], [null, 4], null]);
      assert.deepEqual(values(fixed.slice(1, 1)), [[null, 4]]);
    });

    test('maps with non-string keys; __proto__ is an ordinary key', () => {
      assert.deepEqual(values(mapOf(int32([1, 2, 3]), utf8(['a', null, 'c']), [0, 2, 2, 3])), [
        { 1: 'a', 2: null },
        {},
        { 3: 'c' },
      ]);
      const days = makeData({ type: new DateDay(), length: 1, data: new Int32Array([19_723]) });
      assert.deepEqual(values(mapOf(days, int32([5]), [0, 1])), [{ '2024-01-01': 5 }]);
      const keys = bigints(new Int64(), [2n ** 60n]);
      assert.deepEqual(values(mapOf(keys, int32([1]), [0, 1])), [{ [(2n ** 60n).toString()]: 1 }]);
      const [proto] = values(mapOf(utf8(['__proto__']), int32([1]), [0, 1])) as Record<string, JsonValue>[];
      assert.ok(proto);
      assert.equal(Object.getPrototypeOf(proto), Object.prototype);
      assert.equal(JSON.stringify(proto), '{"__proto__":1}');
      const [struct] = values(structOf(Object.fromEntries([['__proto__', int32([2])]])), false);
      assert.equal(JSON.stringify(struct), '{"__proto__":2}');
    });

    test('dictionary-encoded strings, including a multi-chunk dictionary', () => {
      const dictionary = vectorFromArray(['b', 'a', null, 'b', 'c'], new Dictionary(new Utf8(), new Int32()));
      assert.deepEqual(values(dictionary.data[0] as Data), ['b', 'a', null, 'b', 'c']);
      const chunks = new Vector([utf8(['x', 'y']), utf8(['z'])]) as Vector<Utf8>;
      // 64-bit indices are valid Arrow, though apache-arrow's typings only admit 8–32-bit ones.
      const data = makeData({
        type: new Dictionary(new Utf8(), new Int64() as unknown as Int32),
        length: 4,
        data: new BigInt64Array([2n, 0n, 1n, 2n]) as unknown as Int32Array,
        dictionary: chunks,
        nullBitmap: bitmap([true, true, true, false]),
      });
      assert.deepEqual(values(data, false), ['z', 'x', 'y', null]);
    });

    test('sparse and dense unions', () => {
      const fields = [new Field('i', new Int32(), true), new Field('s', new Utf8(), true)];
      const sparse = makeData({
        type: new SparseUnion([0, 1], fields),
        length: 3,
        typeIds: new Int8Array([0, 1, 0]),
        children: [int32([1, null, null]), utf8([null, 'two', null])],
      });
      assert.deepEqual(values(sparse, false), [1, 'two', null]);
      const dense = makeData({
        type: new DenseUnion([5, 7], fields),
        length: 3,
        typeIds: new Int8Array([7, 5, 7]),
        valueOffsets: new Int32Array([0, 0, 1]),
        children: [int32([9]), utf8(['a', 'b'])],
      });
      assert.deepEqual(values(dense, false), ['a', 9, 'b']);
    });

    test('duplicate column names keep the last, as before', () => {
      const a = int32([1]);
      const b = int32([2]);
      const fields = [new Field('v', a.type), new Field('v', b.type)];
      const batch = new RecordBatch(
        new Schema(fields),
        makeData({ type: new Struct(fields), length: 1, children: [a, b] }),
      );
      assert.deepEqual(encode(batch), [{ v: 2 }]);
    });
  });
});
