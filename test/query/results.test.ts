// Query results through Tributary equal DuckDB's own answer on the same
// data: values, Arrow types and row order, over gRPC (Arrow and rows) and
// HTTP (JSON, NDJSON, Arrow stream). Also parameters, limits and the exact
// JSON forms of values.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ARROW_STREAM_MEDIA_TYPE } from '@tributary/core';
import { tableFromIPC } from 'apache-arrow';
import { httpQuery } from '../support/assertions.js';
import { canonFromArrow, canonFromReference, microsFromIso } from '../support/canonical.js';
import { assertMatchesReference, type ResultCase } from '../support/compare.js';
import { useFixtureCluster } from '../support/fixture-cluster.js';

const env = useFixtureCluster();

const CASES: ResultCase[] = [
  {
    name: 'inner join of two Parquet tables',
    sql: `SELECT o.order_id, c.name, c.country, o.amount, o.ordered_at
            FROM lake.main.orders o JOIN lake.main.customers c ON c.id = o.customer_id
           ORDER BY o.order_id`,
    rows: 33,
  },
  {
    name: 'left join keeps unmatched rows, with NULLs',
    sql: `SELECT o.order_id, o.customer_id, c.name, c.signup, c.vip
            FROM lake.main.orders o LEFT JOIN lake.main.customers c ON c.id = o.customer_id
           ORDER BY o.order_id`,
    rows: 40,
  },
  {
    name: 'three-table join across schemas of a DuckDB file',
    sql: `SELECT p.name AS product, s.city, l.quantity, l.updated_at
            FROM warehouse.inventory.stock_levels l
            JOIN warehouse.main.products p ON p.id = l.product_id
            JOIN warehouse.main.stores s ON s.id = l.store_id
           ORDER BY product, s.city`,
    rows: 13,
  },
  {
    name: 'aggregates with GROUP BY and HAVING',
    sql: `SELECT status, count(*) AS n, sum(amount) AS total, avg(amount) AS mean,
                 min(ordered_at) AS first_at, max(ordered_at) AS last_at, count(customer_id) AS with_customer
            FROM lake.main.orders GROUP BY status HAVING count(*) > 5 ORDER BY status`,
    rows: 3,
  },
  {
    name: 'aggregate over a join, without ORDER BY (compared as a multiset)',
    sql: `SELECT c.country, count(o.order_id) AS orders, sum(o.amount) AS spent
            FROM lake.main.customers c LEFT JOIN lake.main.orders o ON o.customer_id = c.id
           GROUP BY c.country`,
    rows: 7,
  },
  {
    name: 'every type, NULLs in every column, from a DuckDB file',
    sql: 'SELECT * FROM warehouse.main.all_types ORDER BY id',
    rows: 4,
  },
  { name: 'every type from Parquet', sql: 'SELECT * FROM lake.main.all_types ORDER BY id', rows: 4 },
  {
    name: 'CSV with inferred types and NULLs',
    sql: 'SELECT * FROM lake.main.events ORDER BY id',
    rows: 30,
  },
  {
    name: 'NDJSON with lists and structs',
    sql: 'SELECT * FROM lake.main.tickets ORDER BY id',
    rows: 12,
  },
  {
    name: 'DATE, TIMESTAMP and TIMESTAMPTZ arithmetic',
    sql: `SELECT order_id, ordered_at, ordered_at::DATE AS day, date_trunc('hour', ordered_at) AS hour,
                 ordered_at + INTERVAL 90 MINUTE AS later, ordered_at::TIMESTAMPTZ AS instant,
                 epoch_ms(ordered_at) AS epoch_ms
            FROM lake.main.orders WHERE ordered_at < TIMESTAMP '2024-01-08' ORDER BY order_id`,
    rows: 15,
  },
  {
    name: 'microsecond timestamps, before and after 1970',
    sql: `SELECT * FROM (VALUES
            (1, TIMESTAMP '2024-01-02 03:04:05.123456', TIMESTAMPTZ '2024-01-02 03:04:05.000001+00'),
            (2, TIMESTAMP '1969-12-31 23:59:59.999999', TIMESTAMPTZ '1969-07-20 20:17:40.5+00')) t(id, ts, tstz)
          ORDER BY id`,
    rows: 2,
  },
  {
    name: 'DECIMAL(p,s) with p > 18, BIGINT beyond 2^53, HUGEINT',
    sql: 'SELECT * FROM warehouse.main.big_numbers ORDER BY id',
    rows: 5,
  },
  {
    name: 'decimal arithmetic keeps exact scale',
    sql: `SELECT "line id", "unit price" * qty AS total, "unit price" / 3 AS third,
                 sum("unit price") OVER () AS grand
            FROM warehouse.main."order lines" ORDER BY "line id"`,
    rows: 3,
  },
  {
    name: 'strings over 100 KB with multi-byte UTF-8, and a large BLOB',
    sql: `SELECT id, body, length(body) AS chars, strlen(body) AS bytes, payload
            FROM warehouse.main.big_text ORDER BY id`,
    rows: 3,
  },
  {
    name: 'lists and structs built by the query',
    sql: `SELECT customer_id, list(order_id ORDER BY order_id) AS ids,
                 {'n': count(*), 'total': sum(amount), 'last': max(ordered_at)} AS summary,
                 list(DISTINCT status ORDER BY status) AS statuses
            FROM lake.main.orders WHERE customer_id IS NOT NULL GROUP BY customer_id ORDER BY customer_id`,
    rows: 8,
  },
  {
    name: 'empty result still has its schema',
    sql: `SELECT order_id, amount, ordered_at FROM lake.main.orders WHERE status = 'no such status'`,
    rows: 0,
  },
  { name: 'empty table', sql: 'SELECT * FROM warehouse.main.empty_table', rows: 0 },
  { name: 'a table-less query: SELECT 1', sql: 'SELECT 1', rows: 1 },
  {
    name: 'a table-less query with several types',
    sql: `SELECT 42 AS answer, 'forty-two' AS text, [4, 2] AS digits, NULL AS nothing, DATE '2042-04-02' AS day`,
    rows: 1,
  },
  {
    name: 'a non-main schema',
    sql: 'SELECT * FROM warehouse.inventory.stock_levels ORDER BY product_id, store_id',
    rows: 13,
  },
  {
    name: 'quoted identifiers with spaces and capitals',
    sql: `SELECT "line id", "Product Name", "unit price", qty AS "Quantity Ordered"
            FROM warehouse.main."order lines" ORDER BY "line id" DESC`,
    rows: 3,
  },
  {
    name: 'source.table shorthand for schema main, any letter case',
    sql: 'SELECT id, name FROM LAKE.customers ORDER BY id',
    rows: 7,
  },
  {
    name: 'CTE, UNION ALL and a window function',
    sql: `WITH ranked AS (
            SELECT order_id, customer_id, amount,
                   row_number() OVER (PARTITION BY customer_id ORDER BY amount DESC, order_id) AS rank
              FROM lake.main.orders)
          SELECT 'top' AS kind, order_id, customer_id, amount FROM ranked WHERE rank = 1
          UNION ALL
          SELECT 'none', NULL, NULL, NULL
          ORDER BY kind, customer_id NULLS LAST, order_id`,
    rows: 10,
  },
  {
    name: 'a join across the two sources of one edge',
    sql: `SELECT c.name, p.name AS product FROM lake.main.customers c
            JOIN warehouse.main.products p ON p.id = c.id ORDER BY c.id`,
    rows: 7,
  },
];

describe('results equal DuckDB’s own answer (gRPC Arrow, gRPC rows, HTTP JSON)', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      await assertMatchesReference(env.cluster, env.client, env.reference, c);
    });
  }

  test('HTTP metadata describes the result and matches the x-query-id header', async () => {
    const sql = 'SELECT * FROM lake.main.orders ORDER BY order_id';
    const response = await env.cluster.http('/v1/query', { method: 'POST', json: { sql } });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { data: unknown[]; metadata: Record<string, unknown> };
    assert.equal(body.data.length, 40);
    const metadata = body.metadata;
    assert.match(String(metadata.query_id), /\S/);
    assert.equal(response.headers.get('x-query-id'), metadata.query_id);
    assert.equal(metadata.row_count, 40);
    assert.equal(metadata.truncated, false);
    assert.equal(metadata.from_cache, false);
    assert.deepEqual(metadata.edges, ['edge-1']);
    assert.ok(Number(metadata.batch_count) >= 1);
    assert.ok(Number(metadata.bytes) > 0);
    assert.ok(Number(metadata.execution_time_ms) >= 0);
  });

  test('gRPC metadata arrives after the last batch', async () => {
    const result = env.client.query('SELECT * FROM lake.main.events ORDER BY id');
    let rows = 0;
    for await (const batch of result) rows += batch.numRows;
    assert.equal(rows, 30);
    const metadata = result.metadata;
    assert.ok(metadata, 'metadata after the stream ends');
    assert.equal(Number(metadata.row_count), 30);
    assert.equal(metadata.truncated, false);
    assert.deepEqual(metadata.edges, ['edge-1']);
    assert.match(metadata.query_id, /\S/);
  });

  test('NDJSON and the Arrow IPC stream over HTTP carry the same rows', async () => {
    const sql = 'SELECT * FROM warehouse.main.all_types ORDER BY id';
    const expected = canonFromReference(await env.reference.query(sql));
    const json = await httpQuery(env.cluster, sql);

    const ndjson = await env.cluster.http('/v1/query', {
      method: 'POST',
      json: { sql },
      headers: { 'x-api-key': env.cluster.apiKey, accept: 'application/x-ndjson' },
    });
    assert.equal(ndjson.status, 200);
    assert.match(ndjson.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    const lines = (await ndjson.text()).split('\n').filter((line) => line !== '');
    assert.deepEqual(
      lines.map((line) => JSON.parse(line)),
      json.data,
    );

    const arrow = await env.cluster.http('/v1/query', {
      method: 'POST',
      json: { sql },
      headers: { 'x-api-key': env.cluster.apiKey, accept: ARROW_STREAM_MEDIA_TYPE },
    });
    assert.equal(arrow.status, 200);
    assert.equal(arrow.headers.get('content-type'), ARROW_STREAM_MEDIA_TYPE);
    const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()));
    assert.deepEqual(canonFromArrow(table), expected);
  });

  test('an empty result over HTTP Arrow still carries the schema', async () => {
    const sql = 'SELECT * FROM warehouse.main.empty_table';
    const expected = canonFromReference(await env.reference.query(sql));
    const response = await env.cluster.http('/v1/query', {
      method: 'POST',
      json: { sql },
      headers: { 'x-api-key': env.cluster.apiKey, accept: ARROW_STREAM_MEDIA_TYPE },
    });
    assert.equal(response.status, 200);
    const table = tableFromIPC(new Uint8Array(await response.arrayBuffer()));
    assert.equal(table.numRows, 0);
    assert.deepEqual(canonFromArrow(table), expected);
  });
});

describe('gRPC and HTTP return identical rows', () => {
  const QUERIES = [
    'SELECT * FROM warehouse.main.all_types ORDER BY id',
    'SELECT * FROM lake.main.tickets ORDER BY id',
    'SELECT * FROM warehouse.main.big_numbers ORDER BY id',
    `SELECT status, count(*) AS n, sum(amount) AS total FROM lake.main.orders GROUP BY status ORDER BY status`,
    'SELECT "line id", "Product Name" FROM warehouse.main."order lines" ORDER BY 1',
  ];
  for (const sql of QUERIES) {
    test(sql, async () => {
      const rows = await env.client.query(sql).toArray();
      const body = await httpQuery(env.cluster, sql);
      assert.ok(rows.length > 0);
      assert.deepEqual(body.data, rows, 'JSON rows');
      const arrow = await env.cluster.http('/v1/query', {
        method: 'POST',
        json: { sql },
        headers: { 'x-api-key': env.cluster.apiKey, accept: ARROW_STREAM_MEDIA_TYPE },
      });
      const viaHttp = canonFromArrow(tableFromIPC(new Uint8Array(await arrow.arrayBuffer())));
      const viaGrpc = canonFromArrow(await env.client.query(sql).toTable());
      assert.deepEqual(viaHttp, viaGrpc, 'Arrow names, types and values');
    });
  }
});

describe('parameters are bound, never interpolated', () => {
  const INJECTION = `'; DROP TABLE lake.main.customers; --`;
  const PARAM_CASES: ResultCase[] = [
    {
      name: 'an integer ($1 binds as BIGINT)',
      sql: 'SELECT order_id, amount, typeof($1) AS t FROM lake.main.orders WHERE customer_id = $1 ORDER BY order_id',
      params: [3],
      rows: 5,
    },
    {
      name: 'a double',
      sql: 'SELECT order_id, amount, typeof($1) AS t FROM lake.main.orders WHERE amount > $1 ORDER BY order_id',
      params: [850.5],
      rows: 5,
    },
    {
      name: 'a string with multi-byte characters',
      sql: 'SELECT id, name, typeof($1) AS t FROM lake.main.customers WHERE name = $1',
      params: ['Zoë Ñúñez'],
      rows: 1,
    },
    {
      name: 'a boolean',
      sql: 'SELECT id, name, typeof($1) AS t FROM lake.main.customers WHERE vip = $1 ORDER BY id',
      params: [true],
      rows: 3,
    },
    {
      name: 'a NULL',
      sql: 'SELECT $1 IS NULL AS is_null, typeof($1) AS t, coalesce($1, 7) AS fallback',
      params: [null],
      rows: 1,
    },
    {
      name: 'one of each type at once, reused and out of order',
      sql: 'SELECT $5 AS n, $4 AS b, $3 AS s, $2 AS d, $1 AS i, $1 + 1 AS i_plus_one',
      params: [41, 2.5, 'héllo', false, null],
      rows: 1,
    },
    {
      name: 'an injection attempt is just a string',
      sql: 'SELECT $1 AS v, length($1) AS len, (SELECT count(*) FROM lake.main.customers WHERE name = $1) AS matches',
      params: [INJECTION],
      rows: 1,
    },
    {
      name: 'placeholder-looking text inside a parameter stays text',
      sql: 'SELECT $1 AS a, $2 AS b',
      params: ['$2', "' OR '1'='1"],
      rows: 1,
    },
    {
      name: 'a parameter in a date comparison',
      sql: 'SELECT order_id FROM lake.main.orders WHERE ordered_at::DATE = $1::DATE ORDER BY order_id',
      params: ['2024-01-03'],
      rows: 3,
    },
  ];

  for (const c of PARAM_CASES) {
    test(c.name, async () => {
      await assertMatchesReference(env.cluster, env.client, env.reference, c);
    });
  }

  test('the injection left the data untouched and came back verbatim', async () => {
    const rows = await env.client.query('SELECT $1 AS v', { params: [INJECTION] }).toArray();
    assert.deepEqual(rows, [{ v: INJECTION }]);
    const count = await httpQuery(env.cluster, 'SELECT count(*) AS n FROM lake.main.customers');
    assert.deepEqual(count.data, [{ n: 7 }]);
  });
});

describe('limit', () => {
  const sql = 'SELECT order_id, amount FROM lake.main.orders ORDER BY order_id';

  test('over gRPC: stops at the limit and reports truncated', async () => {
    const expected = canonFromReference(await env.reference.query(sql));
    const result = env.client.query(sql, { limit: 5 });
    const table = await result.toTable();
    assert.deepEqual(canonFromArrow(table).rows, expected.rows.slice(0, 5));
    assert.equal(result.metadata?.truncated, true);
    assert.equal(Number(result.metadata?.row_count), 5);
  });

  test('over HTTP: stops at the limit and reports truncated', async () => {
    const body = await httpQuery(env.cluster, sql, { limit: 7 });
    assert.equal(body.data.length, 7);
    assert.deepEqual(
      body.data.map((row) => row.order_id),
      [1, 2, 3, 4, 5, 6, 7],
    );
    assert.equal(body.metadata.truncated, true);
    assert.equal(body.metadata.row_count, 7);
  });

  test('a limit equal to the row count, or above it, does not truncate', async () => {
    for (const limit of [40, 41, 1000]) {
      const body = await httpQuery(env.cluster, sql, { limit });
      assert.equal(body.data.length, 40, `limit ${limit}`);
      assert.equal(body.metadata.truncated, false, `limit ${limit}`);
      const result = env.client.query(sql, { limit });
      assert.equal((await result.toArray()).length, 40);
      assert.equal(result.metadata?.truncated, false, `gRPC limit ${limit}`);
    }
  });

  test('a LIMIT in the SQL below the requested limit does not truncate', async () => {
    const body = await httpQuery(env.cluster, `${sql} LIMIT 3`, { limit: 10 });
    assert.equal(body.data.length, 3);
    assert.equal(body.metadata.truncated, false);
  });
});

/** `expect` is the exact JSON value, or a check of it. */
interface JsonFormCase {
  name: string;
  sql: string;
  expect: unknown;
}

function isoInstant(expected: string, zoned: boolean) {
  return (value: unknown) => {
    assert.equal(typeof value, 'string', 'a timestamp is a string');
    const text = value as string;
    assert.match(text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/, 'ISO 8601');
    if (zoned) assert.match(text, /(Z|[+-]\d{2}:\d{2})$/, 'a TIMESTAMPTZ names its zone');
    assert.equal(
      microsFromIso(text, zoned),
      microsFromIso(expected, false),
      `the same instant as ${expected}`,
    );
  };
}

const JSON_FORMS: JsonFormCase[] = [
  {
    name: 'BIGINT within ±2^53 is a number',
    sql: 'SELECT 9007199254740991::BIGINT AS v',
    expect: 9007199254740991,
  },
  {
    name: 'BIGINT beyond 2^53 is exact text',
    sql: 'SELECT 9007199254740993::BIGINT AS v',
    expect: '9007199254740993',
  },
  {
    name: 'BIGINT minimum is exact text',
    sql: 'SELECT (-9223372036854775808)::BIGINT AS v',
    expect: '-9223372036854775808',
  },
  {
    name: 'UBIGINT maximum is exact text',
    sql: 'SELECT 18446744073709551615::UBIGINT AS v',
    expect: '18446744073709551615',
  },
  { name: 'INTEGER is a number', sql: 'SELECT (-2147483648)::INTEGER AS v', expect: -2147483648 },
  { name: 'DECIMAL keeps its scale as text', sql: 'SELECT 5::DECIMAL(10,2) AS v', expect: '5.00' },
  { name: 'negative DECIMAL below 1', sql: 'SELECT (-0.05)::DECIMAL(4,2) AS v', expect: '-0.05' },
  {
    name: 'DECIMAL(38,10) is exact text',
    sql: 'SELECT (-1234567890123456789012345678.0123456789)::DECIMAL(38,10) AS v',
    expect: '-1234567890123456789012345678.0123456789',
  },
  { name: 'DOUBLE is a number', sql: 'SELECT 1.5::DOUBLE AS v', expect: 1.5 },
  { name: 'BOOLEAN', sql: 'SELECT true AS v', expect: true },
  { name: 'VARCHAR with 4-byte UTF-8', sql: `SELECT 'naïve 🚀' AS v`, expect: 'naïve 🚀' },
  { name: 'BLOB is base64', sql: `SELECT '\\x00\\x01\\xFE\\xFF'::BLOB AS v`, expect: 'AAH+/w==' },
  { name: 'DATE is YYYY-MM-DD', sql: `SELECT DATE '2024-02-29' AS v`, expect: '2024-02-29' },
  { name: 'DATE before 1970', sql: `SELECT DATE '1969-07-20' AS v`, expect: '1969-07-20' },
  {
    name: 'TIMESTAMP is ISO 8601 with its microseconds',
    sql: `SELECT TIMESTAMP '2024-01-02 03:04:05.123456' AS v`,
    expect: isoInstant('2024-01-02T03:04:05.123456Z', false),
  },
  {
    name: 'TIMESTAMP just before 1970',
    sql: `SELECT TIMESTAMP '1969-12-31 23:59:59.999999' AS v`,
    expect: isoInstant('1969-12-31T23:59:59.999999Z', false),
  },
  {
    name: 'TIMESTAMPTZ is an ISO 8601 instant with its zone',
    sql: `SELECT TIMESTAMPTZ '2024-03-10 12:00:00.25+02' AS v`,
    expect: isoInstant('2024-03-10T10:00:00.250Z', true),
  },
  { name: 'NULL', sql: 'SELECT NULL::INTEGER AS v', expect: null },
  {
    name: 'LIST elements follow their own type',
    sql: 'SELECT [1, NULL, 9007199254740993]::BIGINT[] AS v',
    expect: [1, null, '9007199254740993'],
  },
  {
    name: 'STRUCT fields follow their own types',
    sql: `SELECT {'d': 1.50::DECIMAL(5,2), 'day': DATE '2024-01-01', 'b': '\\x41'::BLOB} AS v`,
    expect: { d: '1.50', day: '2024-01-01', b: 'QQ==' },
  },
  {
    name: 'TIME is HH:MM:SS with its fraction',
    sql: `SELECT TIME '12:34:56.789' AS v`,
    expect: (value: unknown) => assert.match(String(value), /^12:34:56\.789(000)?$/),
  },
  {
    name: 'UUID is its canonical text',
    sql: `SELECT '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID AS v`,
    expect: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
  },
  {
    name: 'DATE inside a LIST',
    sql: `SELECT [DATE '1969-07-20', NULL] AS v`,
    expect: ['1969-07-20', null],
  },
  {
    name: 'TIMESTAMP inside a STRUCT (this century)',
    sql: `SELECT {'t': TIMESTAMP '2024-01-02 03:04:05.123456'} AS v`,
    expect: (value: unknown) => isoInstant('2024-01-02T03:04:05.123456Z', false)((value as { t: unknown }).t),
  },
  {
    name: 'TIMESTAMP inside a LIST keeps its microseconds in any year',
    sql: `SELECT [TIMESTAMP '2500-06-15 12:00:00.000007', TIMESTAMP '9999-12-31 23:59:59.999999'] AS v`,
    expect: (value: unknown) => {
      const [a, b] = value as unknown[];
      isoInstant('2500-06-15T12:00:00.000007Z', false)(a);
      isoInstant('9999-12-31T23:59:59.999999Z', false)(b);
    },
  },
  {
    name: 'TIME inside a LIST is HH:MM:SS too',
    sql: `SELECT [TIME '01:02:03.000004'] AS v`,
    expect: ['01:02:03.000004'],
  },
  {
    name: 'HUGEINT within ±2^53 is a number, like every integer',
    sql: 'SELECT 42::HUGEINT AS v',
    expect: 42,
  },
  {
    name: 'HUGEINT beyond 2^53 is exact text',
    sql: 'SELECT 1267650600228229401496703205376::HUGEINT AS v',
    expect: '1267650600228229401496703205376',
  },
  {
    name: 'sum() of an INTEGER column (a HUGEINT) within ±2^53 is a number',
    sql: 'SELECT sum(quantity) AS v FROM warehouse.inventory.stock_levels',
    expect: 137,
  },
  { name: 'DATE infinity is "infinity"', sql: `SELECT 'infinity'::DATE AS v`, expect: 'infinity' },
  {
    name: 'TIMESTAMP -infinity is "-infinity"',
    sql: `SELECT '-infinity'::TIMESTAMP AS v`,
    expect: '-infinity',
  },
  { name: 'INTERVAL is an ISO 8601 duration', sql: 'SELECT INTERVAL 1 DAY AS v', expect: 'P1D' },
  {
    name: 'an INTERVAL with months, days and fractional seconds',
    sql: `SELECT INTERVAL '1 month 2 days 3.5 seconds' AS v`,
    expect: 'P1M2DT3.5S',
  },
];

describe('JSON forms of values (HTTP, and the same from the SDK’s toArray())', () => {
  for (const c of JSON_FORMS) {
    test(c.name, async () => {
      const response = await env.cluster.http('/v1/query', { method: 'POST', json: { sql: c.sql } });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { data: { v: unknown }[] };
      assert.equal(body.data.length, 1);
      const value = body.data[0]?.v;
      if (typeof c.expect === 'function') (c.expect as (v: unknown) => void)(value);
      else assert.deepEqual(value, c.expect);
      assert.deepEqual(
        await env.client.query(c.sql).toArray(),
        body.data,
        'gRPC toArray() renders it identically',
      );
    });
  }
});
