import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { SqlValue } from '@tributary/core';
import { type ScannedTable, scanFilter } from './scan-filters.js';

const orders: ScannedTable = {
  catalog: 'shop',
  schema: 'public',
  name: 'Orders',
  columns: [
    { name: 'id', pgType: 'integer', nullable: false },
    { name: 'Region', pgType: 'text', nullable: true },
    { name: 'amount', pgType: 'numeric(12,2)', nullable: true },
    { name: 'score', pgType: 'double precision', nullable: true },
    { name: 'paid', pgType: 'boolean', nullable: true },
    { name: 'placed_on', pgType: 'date', nullable: true },
    { name: 'ref', pgType: 'uuid', nullable: true },
    { name: 'attrs', pgType: 'jsonb', nullable: true },
    { name: 'code', pgType: 'character(3)', nullable: true },
    { name: 'at', pgType: 'timestamp with time zone', nullable: true },
  ],
};

let instance: DuckDBInstance;
let connection: DuckDBConnection;

async function filter(sql: string, params: SqlValue[] = []) {
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS tree', [sql]);
  const tree = JSON.parse(String(reader.getRowObjectsJS()[0]?.tree));
  return scanFilter(tree.statements, orders, params);
}

before(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});

after(() => {
  connection.closeSync();
  instance.closeSync();
});

// (query, params, expected PostgreSQL condition and parameters, or undefined: nothing pushed)
const CASES: [string, SqlValue[], { where: string; params: string[] } | undefined][] = [
  [
    "SELECT id FROM shop.public.orders WHERE region = 'EMEA' AND amount > 10.50",
    [],
    { where: '("Region" COLLATE "C" = $1::text) AND ("amount" > $2::numeric)', params: ['EMEA', '10.50'] },
  ],
  [
    'SELECT id FROM shop.public.orders o WHERE o.id IN (1, 2, $1) AND o.score BETWEEN -1 AND $2',
    [7, 2.5],
    {
      where:
        '("id" IN ($1::numeric, $2::numeric, $3::numeric)) AND (("score" >= $4::float8) AND ("score" <= $5::float8))',
      params: ['1', '2', '7', '-1', '2.5'],
    },
  ],
  [
    "SELECT * FROM shop.public.orders WHERE paid AND NOT (region LIKE 'E_%') AND attrs IS NOT NULL",
    [],
    {
      where: '"paid" AND (NOT ("Region" COLLATE "C" LIKE $1::text ESCAPE \'\')) AND ("attrs" IS NOT NULL)',
      params: ['E_%'],
    },
  ],
  [
    "SELECT id FROM shop.public.orders WHERE placed_on >= DATE '2024-01-01' AND ref = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'",
    [],
    {
      where: '("placed_on" >= $1::date) AND ("ref" = $2::uuid)',
      params: ['2024-01-01', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'],
    },
  ],
  [
    // Only the translatable conjuncts go; the rest stays in DuckDB.
    "SELECT id FROM shop.public.orders WHERE id % 2 = 0 AND (region = 'x' OR id = 3) AND region ILIKE 'e%'",
    [],
    { where: '(("Region" COLLATE "C" = $1::text) OR ("id" = $2::numeric))', params: ['x', '3'] },
  ],
  ['SELECT id FROM shop.public.orders WHERE id = 1.5e0', [], undefined], // a double against an integer column
  ["SELECT id FROM shop.public.orders WHERE amount = '10.555'", [], undefined], // text cast to DECIMAL rounds
  ['SELECT id FROM shop.public.orders WHERE amount = $1', [0.1], undefined],
  ["SELECT id FROM shop.public.orders WHERE code = 'ab'", [], undefined], // padded character(n)
  ["SELECT id FROM shop.public.orders WHERE at > '2024-01-01'", [], undefined], // time zone of the cast
  ["SELECT id FROM shop.public.orders WHERE placed_on = '2024-1-2'", [], undefined],
  ['SELECT id FROM shop.public.orders WHERE id = 9007199254740993', [], undefined],
  ['SELECT id FROM shop.public.orders WHERE id IN (1, NULL)', [], undefined],
  ['SELECT id FROM shop.public.orders WHERE id = $1', [null], undefined],
  [
    "SELECT a.id FROM shop.public.orders a JOIN shop.public.orders b ON a.id = b.id WHERE a.region = 'x'",
    [],
    undefined,
  ],
  ["SELECT o.id FROM lake.main.t JOIN shop.public.orders o ON t.id = o.id WHERE region = 'x'", [], undefined],
  [
    "SELECT o.id FROM lake.main.t LEFT JOIN shop.public.orders o ON t.id = o.id WHERE o.region = 'x'",
    [],
    undefined,
  ],
  [
    "SELECT * FROM (SELECT id, upper(region) AS region FROM shop.public.orders) s WHERE region = 'X'",
    [],
    undefined,
  ],
  ['SELECT id FROM shop.public.orders USING SAMPLE 10 WHERE id = 1', [], undefined],
  ['SELECT * FROM (SELECT * FROM shop.public.orders LIMIT 5) s WHERE id = 1', [], undefined],
  [
    'SELECT * FROM (SELECT id, row_number() OVER () AS rn FROM shop.public.orders) s WHERE id = 1',
    [],
    undefined,
  ],
  ['SELECT * FROM (SELECT id, id + 1 AS id FROM shop.public.orders) s WHERE s.id = 1', [], undefined],
  [
    // Governance's projection: the row filter and the caller's filter on an unmasked column both go.
    `SELECT id FROM (SELECT "id" AS "id", '***' AS "Region" FROM shop.public.orders WHERE ("Region" = 'EMEA')) AS o
      WHERE o.id > 5 AND o.region = 'x'`,
    [],
    { where: '("id" > $1::numeric) AND ("Region" COLLATE "C" = $2::text)', params: ['5', 'EMEA'] },
  ],
  [
    'SELECT * FROM (SELECT * FROM (SELECT id AS key FROM shop.public.orders) a) b WHERE key = 3',
    [],
    { where: '("id" = $1::numeric)', params: ['3'] },
  ],
];

describe('filters pushed into the PostgreSQL read of a table', () => {
  for (const [sql, params, expected] of CASES) {
    test(sql, async () => {
      assert.deepEqual(await filter(sql, params), expected);
    });
  }

  test('a filter joins the read through an inner join or the preserved side of a left join', async () => {
    for (const sql of [
      "SELECT o.id FROM lake.main.t JOIN shop.public.orders o ON t.id = o.id WHERE o.region = 'x'",
      "SELECT o.id FROM shop.public.orders o LEFT JOIN lake.main.t ON t.id = o.id WHERE o.region = 'x'",
      "SELECT * FROM (SELECT id FROM shop.public.orders WHERE region = 'x') s JOIN lake.main.t USING (id)",
    ])
      assert.deepEqual(await filter(sql), { where: '("Region" COLLATE "C" = $1::text)', params: ['x'] }, sql);
  });
});
