import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { QueryEngine } from '../engine.js';
import { assertSameAsDuckDB, collect, openTestEngine, referenceConnection } from '../testing/fixtures.js';

// Every DuckDB type the engine maps, NULLs included, compared value by value
// with what node-api reads from DuckDB for the same query.

const ENUM_300 = `CREATE TYPE wide_enum AS ENUM (SELECT 'member_' || i FROM range(300) t(i))`;

let engine: QueryEngine;

before(async () => {
  engine = await openTestEngine({}, async (connection) => {
    await connection.run(ENUM_300);
  });
  await (await referenceConnection()).run(ENUM_300);
});

after(async () => {
  assert.equal(engine.activeQueries, 0);
  await engine.close();
});

async function same(sql: string, arrowTypes?: string[]): Promise<void> {
  const table = await assertSameAsDuckDB(engine, sql, [], assert.deepStrictEqual);
  if (arrowTypes) {
    assert.deepEqual(
      table.schema.fields.map((field) => String(field.type)),
      arrowTypes,
      `${sql}: Arrow types`,
    );
  }
}

describe('DuckDB → Arrow types', () => {
  test('BOOLEAN packs bytes into bits, NULLs kept', async () => {
    await same('SELECT * FROM (VALUES (true), (NULL), (false), (true)) t(v)', ['Bool']);
    await same('SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE i % 2 = 0 END AS v FROM range(5000) t(i)');
  });

  test('signed and unsigned integers at their limits', async () => {
    await same(
      `SELECT a::TINYINT AS i8, b::SMALLINT AS i16, c::INTEGER AS i32, d::BIGINT AS i64,
              e::UTINYINT AS u8, f::USMALLINT AS u16, g::UINTEGER AS u32, h::UBIGINT AS u64
       FROM (VALUES (-128, -32768, -2147483648, -9223372036854775808, 0, 0, 0, 0),
        (127, 32767, 2147483647, 9223372036854775807, 255, 65535, 4294967295, 18446744073709551615),
        (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
        (1, 2, 3, 4, 5, 6, 7, 8)) t(a, b, c, d, e, f, g, h)`,
      ['Int8', 'Int16', 'Int32', 'Int64', 'Uint8', 'Uint16', 'Uint32', 'Uint64'],
    );
  });

  test('HUGEINT → Decimal128(38, 0) and UHUGEINT → Utf8, exact at the limits', async () => {
    await same(
      `SELECT h::HUGEINT AS h, u::UHUGEINT AS u FROM (VALUES
        ('-170141183460469231731687303715884105728', '0'),
        ('170141183460469231731687303715884105727', '340282366920938463463374607431768211455'),
        (NULL, NULL), ('-1', '1'), ('12345678901234567890123', '98765432109876543210987')) t(h, u)`,
      ['Decimal[38e0]', 'Utf8'],
    );
  });

  test('FLOAT and DOUBLE, special values included', async () => {
    await same(
      `SELECT * FROM (VALUES (1.5::FLOAT, 1.5::DOUBLE), (NULL, NULL), ('nan'::FLOAT, 'nan'::DOUBLE),
        ('inf'::FLOAT, '-inf'::DOUBLE), (-0.0::FLOAT, -0.0::DOUBLE), (3.4e38::FLOAT, 1.7e308)) t(f, d)`,
      ['Float32', 'Float64'],
    );
  });

  test('DECIMAL of every storage width → Decimal128(p, s)', async () => {
    await same(
      `SELECT a::DECIMAL(4,2) AS d4, b::DECIMAL(9,3) AS d9, c::DECIMAL(18,4) AS d18, d::DECIMAL(38,10) AS d38
       FROM (VALUES ('12.34', '123456.789', '12345678901234.5678', '1234567890123456789012345678.0123456789'),
        ('-99.99', '-999999.999', '-99999999999999.9999', '-9999999999999999999999999999.9999999999'),
        (NULL, NULL, NULL, NULL), ('0', '0', '0', '0'), ('-0.01', '-0.001', '-0.0001', '-0.0000000001')) t(a, b, c, d)`,
      ['Decimal[4e+2]', 'Decimal[9e+3]', 'Decimal[18e+4]', 'Decimal[38e+10]'],
    );
    // Many rows, so the sign extension runs over whole chunks with NULLs at odd places.
    await same(
      `SELECT CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 37 - 100000)::DECIMAL(9,2) END AS a,
              CASE WHEN i % 5 = 0 THEN NULL ELSE (i * -12345)::DECIMAL(18,3) END AS b,
              ((i % 1999) - 999)::DECIMAL(4,1) AS c
       FROM range(6000) t(i)`,
    );
  });

  test('VARCHAR: inline (<= 12 bytes) and pointer strings, multi-byte UTF-8, empty, NULL', async () => {
    await same(
      `SELECT * FROM (VALUES ('a'), (''), (NULL), ('exactly12byt'), ('thirteen byte'), ('é'), ('日本語のテキスト'),
        ('emoji 🎉🎉🎉 and more text'), (repeat('long ', 1000))) t(s)`,
      ['Utf8'],
    );
    await same(
      `SELECT CASE WHEN i % 7 = 0 THEN NULL WHEN i % 3 = 0 THEN 'x' || i
                   ELSE repeat('é', (i % 40)::INTEGER) || i END AS s
       FROM range(10000) t(i)`,
    );
  });

  test('JSON → Utf8', async () => {
    await same(`SELECT * FROM (VALUES ('{"a": [1, 2, {"b": null}]}'::JSON), (NULL), ('"x"'::JSON)) t(j)`, [
      'Utf8',
    ]);
  });

  test('BLOB → Binary', async () => {
    await same(
      `SELECT * FROM (VALUES ('\\xAA\\xBB\\x00'::BLOB), (NULL), (''::BLOB), (repeat('\\xFF', 100)::BLOB),
        ('thirteen byte'::BLOB)) t(b)`,
      ['Binary'],
    );
  });

  test('DATE → Date32 days', async () => {
    await same(
      `SELECT * FROM (VALUES (DATE '2024-02-29'), (NULL), (DATE '1900-01-01'), (DATE '1970-01-01'),
        (DATE '9999-12-31'), ('infinity'::DATE), ('-infinity'::DATE)) t(d)`,
      ['Date32<DAY>'],
    );
  });

  test('TIME and TIME_NS → Time64', async () => {
    await same(
      `SELECT * FROM (VALUES (TIME '12:34:56.789012', '12:34:56.123456789'::TIME_NS), (NULL, NULL),
        (TIME '00:00:00', '00:00:00'::TIME_NS), (TIME '24:00:00', '23:59:59.999999999'::TIME_NS)) t(t, tn)`,
      ['Time64<MICROSECOND>', 'Time64<NANOSECOND>'],
    );
  });

  test('TIMESTAMP of every unit, and WITH TIME ZONE → UTC', async () => {
    await same(
      `SELECT * FROM (VALUES
        (TIMESTAMP '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05'::TIMESTAMP_S,
         '2024-01-02 03:04:05.123'::TIMESTAMP_MS, '2024-01-02 03:04:05.123456789'::TIMESTAMP_NS,
         TIMESTAMPTZ '2024-01-02 03:04:05.123456+02'),
        (NULL, NULL, NULL, NULL, NULL),
        (TIMESTAMP '1800-06-01 00:00:00.000001', '1800-06-01'::TIMESTAMP_S, '1800-06-01'::TIMESTAMP_MS,
         '1800-06-01'::TIMESTAMP_NS, TIMESTAMPTZ '1800-06-01 00:00:00+00'),
        ('infinity'::TIMESTAMP, NULL, NULL, NULL, '-infinity'::TIMESTAMPTZ)) t(ts, s, ms, ns, tz)`,
      [
        'Timestamp<MICROSECOND>',
        'Timestamp<SECOND>',
        'Timestamp<MILLISECOND>',
        'Timestamp<NANOSECOND>',
        'Timestamp<MICROSECOND, UTC>',
      ],
    );
  });

  test('INTERVAL → MonthDayNano', async () => {
    await same(
      `SELECT * FROM (VALUES (INTERVAL '1 year 2 months 3 days 04:05:06.789012'), (NULL),
        (INTERVAL '-5 days -00:00:00.000001'), (INTERVAL '0 seconds'), (INTERVAL '100000 hours')) t(i)`,
      ['Interval<MONTH_DAY_NANO>'],
    );
  });

  test('UUID → canonical Utf8', async () => {
    await same(
      `SELECT * FROM (VALUES ('00000000-0000-0000-0000-000000000000'::UUID), (NULL),
        ('ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID), ('7fffffff-ffff-ffff-ffff-ffffffffffff'::UUID),
        ('80000000-0000-0000-0000-000000000000'::UUID), ('0193c3a4-8b2e-7c1d-9f00-0123456789ab'::UUID)) t(u)`,
      ['Utf8'],
    );
    await same(
      'SELECT CASE WHEN i % 4 = 0 THEN NULL ELSE md5(i::VARCHAR)::UUID END AS u FROM range(3000) t(i)',
    );
  });

  test('ENUM → Utf8, with 1- and 2-byte indexes', async () => {
    await same(`SELECT * FROM (VALUES ('happy'::ENUM('sad', 'ok', 'happy')), (NULL), ('sad'), ('ok')) t(e)`, [
      'Utf8',
    ]);
    await same(
      `SELECT CASE WHEN i % 9 = 0 THEN NULL ELSE ('member_' || (i % 300))::wide_enum END AS e FROM range(4000) t(i)`,
      ['Utf8'],
    );
  });

  test('LIST, nested and of strings, with NULL lists and NULL items', async () => {
    await same(
      `SELECT * FROM (VALUES ([1, NULL, 3], [['a', 'a much longer string'], [], NULL], [{'k': 1}])
        , (NULL, NULL, NULL), ([], [[NULL]], [NULL, {'k': NULL}])) t(l, ll, ls)`,
      ['List<Int32>', 'List<List<Utf8>>', 'List<Struct<{k:Int32}>>'],
    );
    await same(
      `SELECT CASE WHEN i % 10 = 0 THEN NULL ELSE range(i % 7) END AS l,
              CASE WHEN i % 3 = 0 THEN [] ELSE ['item_' || i, NULL, repeat('z', (i % 20)::INTEGER)] END AS s
       FROM range(7000) t(i)`,
    );
  });

  test('STRUCT, with NULL structs and NULL fields, nested', async () => {
    await same(
      `SELECT * FROM (VALUES ({'a': 1, 'b': 'x', 'c': {'d': [1.5]}}), (NULL),
        ({'a': NULL, 'b': NULL, 'c': NULL}), ({'a': 3, 'b': 'a longer string value', 'c': {'d': []}})) t(s)`,
      ['Struct<{a:Int32, b:Utf8, c:Struct<{d:List<Decimal[2e+1]>}>}>'],
    );
  });

  test('MAP → Map(entries: key, value)', async () => {
    await same(
      `SELECT * FROM (VALUES (MAP {'a': 1, 'b': NULL}), (NULL), (MAP {}), (MAP {'a much longer key': 42})) t(m)`,
      ['Map<{key:Utf8, value:Int32}>'],
    );
    await same(`SELECT MAP {i: 'v' || i, i + 1: NULL} AS m FROM range(3000) t(i)`);
  });

  test('ARRAY → FixedSizeList', async () => {
    await same(`SELECT * FROM (VALUES ([1, 2, 3]::INTEGER[3]), (NULL), ([NULL, 5, NULL]::INTEGER[3])) t(a)`, [
      'FixedSizeList[3]<Int32>',
    ]);
    await same(
      `SELECT a FROM range(3000) t(i)
       LEFT JOIN (SELECT i, [i::VARCHAR, 'x', NULL]::VARCHAR[3] AS a FROM range(3000) t(i) WHERE i % 5 <> 0) USING (i)
       ORDER BY i`,
    );
  });

  test('rare types fall back to DuckDB text: UNION, BIT, BIGNUM, TIME WITH TIME ZONE, VARIANT', async () => {
    await same(
      `SELECT * FROM (VALUES
        (union_value(num := 2)::UNION(num INTEGER, str VARCHAR), '101'::BIT,
         123456789012345678901234567890::BIGNUM, '12:00:00+02'::TIMETZ, 1::VARIANT),
        (NULL, NULL, NULL, NULL, NULL),
        (union_value(str := 'x')::UNION(num INTEGER, str VARCHAR), '0000'::BIT, -1::BIGNUM,
         '23:59:59.5-11'::TIMETZ, 'text'::VARIANT)) t(u, b, v, tz, var)`,
      ['Utf8', 'Utf8', 'Utf8', 'Utf8', 'Utf8'],
    );
    await same(`SELECT [union_value(num := 1)::UNION(num INTEGER, str VARCHAR), NULL] AS l`);
  });

  test('untyped NULLs (DuckDB types them INTEGER)', async () => {
    await same('SELECT NULL AS a, [NULL, NULL] AS b', ['Int32', 'List<Int32>']);
  });

  test('empty results still carry the schema', async () => {
    const { table, chunks } = await collect(
      engine.stream(
        `SELECT 1::INTEGER AS a, 'x' AS b, [1] AS c, {'d': 1} AS e, MAP {'k': 1} AS m WHERE false`,
      ),
    );
    assert.equal(chunks.length, 1);
    assert.equal(chunks[0]?.rowCount, 0);
    assert.equal(table.numRows, 0);
    assert.deepEqual(
      table.schema.fields.map((field) => `${field.name}:${field.type}`),
      ['a:Int32', 'b:Utf8', 'c:List<Int32>', 'e:Struct<{d:Int32}>', 'm:Map<{key:Utf8, value:Int32}>'],
    );
  });

  test('duplicate column names are kept as DuckDB returns them', async () => {
    const { table } = await collect(engine.stream('SELECT 1 AS a, 2 AS a'));
    assert.deepEqual(
      table.schema.fields.map((field) => field.name),
      ['a', 'a'],
    );
  });
});
