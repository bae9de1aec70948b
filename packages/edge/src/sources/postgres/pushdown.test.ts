import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { baseTables, mentionedColumns, type PushdownCatalog, pushdownQuery } from './pushdown.js';

const catalog: PushdownCatalog = {
  source: 'shop',
  table: (schema, table) =>
    schema.toLowerCase() === 'public' && table.toLowerCase() === 'orders'
      ? {
          schema: 'public',
          table: 'Orders',
          columns: [
            { name: 'id', kind: 'plain' },
            { name: 'Region', kind: 'text' },
            { name: 'amount', kind: 'plain' },
            { name: 'total', kind: 'opaque' },
          ],
        }
      : undefined,
};

let instance: DuckDBInstance;
let connection: DuckDBConnection;

async function parse(sql: string) {
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS tree', [sql]);
  return JSON.parse(String(reader.getRowObjectsJS()[0]?.tree));
}

async function pushdown(sql: string, params: unknown[] = []) {
  return pushdownQuery((await parse(sql)).statements[0], catalog, params);
}

before(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});

after(() => {
  connection.closeSync();
  instance.closeSync();
});

describe('pushdown to PostgreSQL', () => {
  test('portable SQL is rewritten with PostgreSQL names and string constants as parameters', async () => {
    const query = await pushdown(
      `SELECT region, count(*) AS n FROM shop.public.orders WHERE amount > $1 AND region <> 'x''y'
        GROUP BY region ORDER BY n DESC LIMIT 3`,
      [10],
    );
    assert.deepEqual(query, {
      sql:
        'SELECT "Region", count(*) AS "n" FROM "public"."Orders" WHERE (("amount" > $1) AND ("Region" COLLATE "C" <> $2::text))' +
        ' GROUP BY "Region" ORDER BY "n" DESC NULLS LAST LIMIT 3',
      params: [10, "x'y"],
    });
  });

  test('text compares in byte order, LIKE without escape, output names order as themselves', async () => {
    const query = await pushdown(
      `SELECT region AS r, min(region) AS low, count(*) AS n FROM shop.public.orders
        WHERE region LIKE 'a\\_%' AND total IS NOT NULL GROUP BY region ORDER BY r, n DESC`,
    );
    assert.deepEqual(query, {
      sql:
        'SELECT "Region" AS "r", min("Region" COLLATE "C") AS "low", count(*) AS "n" FROM "public"."Orders"' +
        ' WHERE (("Region" COLLATE "C" LIKE $1::text ESCAPE \'\') AND ("total" IS NOT NULL)) GROUP BY "Region"' +
        ' ORDER BY "Region" COLLATE "C" NULLS LAST, "n" DESC NULLS LAST',
      params: ['a\\_%'],
    });
  });

  test('a column DuckDB compares differently is only selected, counted or tested for NULL', async () => {
    assert.notEqual(await pushdown('SELECT id, total FROM shop.public.orders WHERE total IS NULL'), null);
    assert.notEqual(await pushdown('SELECT count(total) FROM shop.public.orders'), null);
    for (const sql of [
      'SELECT id FROM shop.public.orders ORDER BY total',
      'SELECT max(total) FROM shop.public.orders',
      'SELECT DISTINCT total FROM shop.public.orders',
      'SELECT DISTINCT * FROM shop.public.orders',
      "SELECT id FROM shop.public.orders WHERE total = '1'",
      'SELECT total, count(*) FROM shop.public.orders GROUP BY total',
      'SELECT * FROM (SELECT total AS t FROM shop.public.orders) s ORDER BY t',
    ])
      assert.equal(await pushdown(sql), null, sql);
  });

  test('anything outside the whitelist stays in DuckDB', async () => {
    for (const sql of [
      'SELECT amount / 2 FROM shop.public.orders', // integer division differs
      'SELECT list_value(id) FROM shop.public.orders',
      'SELECT lower(region) FROM shop.public.orders', // case folding follows the database locale
      "SELECT id FROM shop.public.orders WHERE region ILIKE 'e%'",
      'SELECT id FROM shop.public.orders ORDER BY coalesce(region, id::varchar)',
      'WITH t AS (SELECT 1) SELECT * FROM t, shop.public.orders',
      'SELECT id FROM shop.public.orders UNION SELECT 1',
      'SELECT row_number() OVER () FROM shop.public.orders',
      'SELECT id FROM shop.public.unknown',
      'SELECT nope FROM shop.public.orders',
      'SELECT id FROM other.public.orders',
      'SELECT id FROM shop.public.orders WHERE id = 9007199254740993', // past 2^53 in the JSON parse tree
    ]) {
      assert.equal(await pushdown(sql), null, sql);
    }
  });

  test('tables and columns a query reads', async () => {
    const tree = await parse('SELECT o.id FROM shop.public.orders o JOIN lake.main.x ON o.Region = x.r');
    assert.deepEqual(
      baseTables(tree.statements).map((t) => `${t.catalog}.${t.schema}.${t.table}`),
      ['shop.public.orders', 'lake.main.x'],
    );
    assert.deepEqual([...(mentionedColumns(tree.statements) ?? [])].sort(), ['id', 'o', 'r', 'region', 'x']);
    assert.equal(mentionedColumns((await parse('SELECT * FROM shop.public.orders')).statements), null);
  });
});
