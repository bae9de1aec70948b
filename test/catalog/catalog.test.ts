// The catalog over gRPC (CatalogService) and HTTP (/v1/catalog/…): sources,
// tables with filters and pagination, table descriptions checked against
// DuckDB and against real query results, and record previews.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TributaryClient } from '@tributary/client';
import type { SourceInfo, Table } from '@tributary/core';
import { expectGrpcError, expectHttpError, httpJson, type QueryBody } from '../support/assertions.js';
import { type Canon, canonFromArrow, canonFromReference, canonKey } from '../support/canonical.js';
import { useFixtureCluster } from '../support/fixture-cluster.js';

const env = useFixtureCluster();

/** The tables createFixtures() makes (checked against it below), for building expectations statically. */
const FIXTURE_TABLES = [
  'lake.main.all_types',
  'lake.main.customers',
  'lake.main.events',
  'lake.main.orders',
  'lake.main.tickets',
  'warehouse.inventory.stock_levels',
  'warehouse.main.Regions',
  'warehouse.main.all_types',
  'warehouse.main.big_numbers',
  'warehouse.main.big_text',
  'warehouse.main.empty_table',
  'warehouse.main.order lines',
  'warehouse.main.products',
  'warehouse.main.stores',
];
const tablesWhere = (keep: (name: string) => boolean) => FIXTURE_TABLES.filter(keep);

const nameOf = (table: Pick<Table, 'ref'>) => `${table.ref?.source}.${table.ref?.schema}.${table.ref?.table}`;
const sorted = (names: string[]) => [...names].sort();
const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const sqlName = (name: string) => name.split('.').map(quoteIdent).join('.');

interface TablesPage {
  tables: Table[];
  next_page_token: string;
}

/** Follows next_page_token to the end, checking each page's size. */
async function allPages(
  fetchPage: (token: string) => Promise<TablesPage>,
  pageSize: number,
): Promise<{ names: string[]; pages: number }> {
  const names: string[] = [];
  let token = '';
  let pages = 0;
  do {
    const page = await fetchPage(token);
    pages++;
    assert.ok(page.tables.length <= pageSize, `page ${pages} has ${page.tables.length} tables`);
    assert.ok(page.tables.length > 0 || pages === 1, `page ${pages} is empty but a token led to it`);
    names.push(...page.tables.map(nameOf));
    token = page.next_page_token;
    assert.ok(pages <= 100, 'the token chain ends');
  } while (token);
  return { names, pages };
}

describe('sources', () => {
  test('ListSources reports kind, edges, health and table counts', async () => {
    const sources = await env.client.listSources();
    const count = (source: string) => env.fixtures.tables.filter((t) => t.startsWith(`${source}.`)).length;
    assert.deepEqual(
      sources.map((s: SourceInfo) => ({ ...s })),
      [
        { name: 'lake', kind: 'files', edges: ['edge-1'], healthy: true, table_count: count('lake') },
        {
          name: 'warehouse',
          kind: 'duckdb',
          edges: ['edge-1'],
          healthy: true,
          table_count: count('warehouse'),
        },
      ],
    );
  });

  test('GET /v1/catalog/sources says the same', async () => {
    const body = await httpJson<{ sources: unknown[] }>(env.cluster, '/v1/catalog/sources');
    assert.deepEqual(body.sources, await env.client.listSources());
  });
});

describe('listing tables', () => {
  test('every table of both sources, once each', async () => {
    const page = await env.client.listTables();
    const names = page.tables.map(nameOf);
    assert.deepEqual(sorted(names), env.fixtures.tables);
    assert.equal(page.next_page_token, '');
  });

  const FILTERS: { name: string; request: Parameters<TributaryClient['listTables']>[0]; expect: string[] }[] =
    [
      {
        name: 'a case-insensitive substring of source.schema.table',
        request: { filter: 'ORDER' },
        expect: ['lake.main.orders', 'warehouse.main.order lines'],
      },
      {
        name: 'a filter matching the source part',
        request: { filter: 'lake.' },
        expect: tablesWhere((t) => t.startsWith('lake.')),
      },
      {
        name: 'a source',
        request: { source: 'warehouse' },
        expect: tablesWhere((t) => t.startsWith('warehouse.')),
      },
      {
        name: 'a source and a schema',
        request: { source: 'warehouse', schema: 'inventory' },
        expect: ['warehouse.inventory.stock_levels'],
      },
      { name: 'a filter that matches nothing', request: { filter: 'no-such-table' }, expect: [] },
    ];

  for (const f of FILTERS) {
    test(`filtered by ${f.name}`, async () => {
      const expected = f.expect;
      const page = await env.client.listTables(f.request);
      assert.deepEqual(sorted(page.tables.map(nameOf)), sorted(expected));
      const query = new URLSearchParams({
        ...(f.request?.filter ? { filter: f.request.filter } : {}),
        ...(f.request?.source ? { source: f.request.source } : {}),
        ...(f.request?.schema ? { schema: f.request.schema } : {}),
      });
      const body = await httpJson<TablesPage>(env.cluster, `/v1/catalog/tables?${query}`);
      assert.deepEqual(sorted(body.tables.map(nameOf)), sorted(expected), 'HTTP');
    });
  }

  test('page_size 2 within one source', async () => {
    const { names } = await allPages(
      (pageToken) => env.client.listTables({ pageSize: 2, pageToken, source: 'lake' }),
      2,
    );
    assert.equal(new Set(names).size, names.length, `duplicates in ${names.join(', ')}`);
    assert.deepEqual(
      sorted(names),
      tablesWhere((t) => t.startsWith('lake.')),
    );
  });

  test('page_size 2: the next_page_token chain covers every table, no duplicates (gRPC)', async () => {
    const { names, pages } = await allPages(
      (pageToken) => env.client.listTables({ pageSize: 2, pageToken }),
      2,
    );
    assert.equal(new Set(names).size, names.length, `duplicates in ${names.join(', ')}`);
    assert.deepEqual(sorted(names), env.fixtures.tables);
    assert.equal(pages, Math.ceil(env.fixtures.tables.length / 2));
  });

  test('page_size 2: the same over HTTP', async () => {
    const { names } = await allPages(
      (token) =>
        httpJson<TablesPage>(
          env.cluster,
          `/v1/catalog/tables?page_size=2${token ? `&page_token=${encodeURIComponent(token)}` : ''}`,
        ),
      2,
    );
    assert.equal(new Set(names).size, names.length, `duplicates in ${names.join(', ')}`);
    assert.deepEqual(sorted(names), env.fixtures.tables);
  });

  test('pagination with a filter', async () => {
    const { names } = await allPages(
      (pageToken) => env.client.listTables({ pageSize: 1, pageToken, filter: 'main.' }),
      1,
    );
    assert.deepEqual(sorted(names), sorted(tablesWhere((t) => t.includes('main.'))));
  });

  test('a page_token this API did not issue → INVALID_ARGUMENT', async () => {
    for (const pageToken of ['garbage', Buffer.from('{"nope":1}').toString('base64url')]) {
      await expectGrpcError(env.client.listTables({ pageToken }), 'INVALID_ARGUMENT');
      const response = await env.cluster.http(`/v1/catalog/tables?page_token=${pageToken}`);
      await expectHttpError(response, 400, 'INVALID_ARGUMENT');
    }
  });

  test('an out-of-range page_size → INVALID_ARGUMENT', async () => {
    await expectGrpcError(env.client.listTables({ pageSize: 1_000_000 }), 'INVALID_ARGUMENT');
    await expectGrpcError(env.client.listTables({ pageSize: -1 }), 'INVALID_ARGUMENT');
    for (const size of ['-1', 'ten', '1000000']) {
      await expectHttpError(
        await env.cluster.http(`/v1/catalog/tables?page_size=${size}`),
        400,
        'INVALID_ARGUMENT',
      );
    }
  });
});

describe('describing a table', () => {
  test('the fixture list above is the fixture', () => {
    assert.deepEqual(sorted(FIXTURE_TABLES), env.fixtures.tables);
  });

  test('every table: columns and SQL types as DuckDB has them, Arrow types as queries return them', async () => {
    for (const name of env.fixtures.tables) {
      const [source, schema, table] = name.split('.') as [string, string, string];
      const described = await env.client.getTable(name);
      assert.equal(nameOf(described), name);
      const columns = await env.reference.query(
        `SELECT column_name, data_type FROM duckdb_columns()
          WHERE database_name = $1 AND schema_name = $2 AND table_name = $3 ORDER BY column_index`,
        [source, schema, table],
      );
      assert.deepEqual(
        described.columns.map((c) => [c.name, c.sql_type]),
        columns.rows,
        `${name}: names and SQL types`,
      );
      const result = await env.client.query(`SELECT * FROM ${sqlName(name)} LIMIT 0`).toTable();
      assert.deepEqual(
        described.columns.map((c) => c.arrow_type),
        result.schema.fields.map((f) => String(f.type)),
        `${name}: Arrow types`,
      );
      assert.ok(['table', 'view'].includes(described.kind), `${name}: kind ${described.kind}`);
      assert.equal(described.kind, source === 'lake' ? 'view' : 'table');
    }
  });

  test('source.table means schema main; quotes are allowed; letter case does not matter', async () => {
    const full = await env.client.getTable('warehouse.main.products');
    assert.deepEqual(await env.client.getTable('warehouse.products'), full);
    assert.deepEqual(await env.client.getTable('"warehouse"."main"."products"'), full);
    assert.deepEqual(await env.client.getTable('WAREHOUSE.MAIN.PRODUCTS'), full);
    const spaced = await env.client.getTable('warehouse.main.order lines');
    assert.deepEqual(await env.client.getTable('warehouse."order lines"'), spaced);
    assert.deepEqual(
      spaced.columns.map((c) => c.name),
      ['line id', 'Product Name', 'unit price', 'qty'],
    );
  });

  test('row count estimates', async () => {
    assert.equal(Number((await env.client.getTable('warehouse.main.products')).row_count_estimate), 7);
    assert.equal(Number((await env.client.getTable('lake.main.orders')).row_count_estimate), 40);
    assert.equal(Number((await env.client.getTable('lake.main.events')).row_count_estimate), -1);
  });

  test('unknown tables → NOT_FOUND; malformed names → INVALID_ARGUMENT', async () => {
    for (const name of [
      'lake.main.nope',
      'nowhere.main.customers',
      'warehouse.sales.products',
      'lake.nope',
    ]) {
      await expectGrpcError(env.client.getTable(name), 'NOT_FOUND');
      await expectHttpError(
        await env.cluster.http(`/v1/catalog/tables/${encodeURIComponent(name)}`),
        404,
        'NOT_FOUND',
      );
    }
    for (const name of ['customers', 'a.b.c.d', 'lake..customers', '"lake.main.customers']) {
      await expectGrpcError(env.client.getTable(name), 'INVALID_ARGUMENT');
      await expectHttpError(
        await env.cluster.http(`/v1/catalog/tables/${encodeURIComponent(name)}`),
        400,
        'INVALID_ARGUMENT',
      );
    }
  });

  test('GET /v1/catalog/tables/{table} describes it as GetTable does', async () => {
    for (const name of ['warehouse.main.products', 'warehouse.main.order lines', 'lake.main.tickets']) {
      const body = await httpJson<Table>(env.cluster, `/v1/catalog/tables/${encodeURIComponent(name)}`);
      const viaGrpc = await env.client.getTable(name);
      assert.equal(nameOf(body), name);
      assert.deepEqual(body.columns, viaGrpc.columns);
      assert.equal(body.kind, viaGrpc.kind);
      assert.equal(String(body.row_count_estimate), String(viaGrpc.row_count_estimate));
    }
  });

  test('HTTP table descriptions carry only the contract’s fields', async () => {
    // The contract's fields are what gRPC returns (proto-loader fills in every field of the message).
    const contract = Object.keys(await env.client.getTable('warehouse.main.products'));
    const outside = (object: Record<string, unknown> | undefined) =>
      Object.keys(object ?? {}).filter((key) => !contract.includes(key));
    const body = await httpJson<Record<string, unknown>>(
      env.cluster,
      '/v1/catalog/tables/warehouse.main.products',
    );
    assert.deepEqual(outside(body), [], 'fields outside the Table message');
    const page = await httpJson<{ tables: Record<string, unknown>[] }>(
      env.cluster,
      '/v1/catalog/tables?page_size=1',
    );
    assert.deepEqual(outside(page.tables[0]), [], 'fields outside the Table message, in listings');
  });
});

describe('record previews', () => {
  /** Every row of `table` (these columns) from the env.reference, as canonical keys. */
  async function referenceRows(table: string, columns: string[]): Promise<string[]> {
    const list = columns.length ? columns.map(quoteIdent).join(', ') : '*';
    const result = canonFromReference(await env.reference.query(`SELECT ${list} FROM ${sqlName(table)}`));
    return result.rows.map(canonKey);
  }

  function assertSubset(rows: Canon[][], all: string[], what: string) {
    const pool = [...all];
    for (const row of rows) {
      const at = pool.indexOf(canonKey(row));
      assert.ok(at >= 0, `${what}: ${canonKey(row)} is not a row of the table (or appears too often)`);
      pool.splice(at, 1);
    }
  }

  test('a limited preview of every column', async () => {
    const result = env.client.getRecords('lake.main.orders', { limit: 3 });
    const table = await result.toTable();
    const canon = canonFromArrow(table);
    assert.equal(canon.rows.length, 3);
    assert.deepEqual(canon.names, ['order_id', 'customer_id', 'amount', 'status', 'ordered_at']);
    assertSubset(canon.rows, await referenceRows('lake.main.orders', []), 'orders');
    assert.equal(Number(result.metadata?.row_count), 3);
  });

  test('the default preview is at most 100 rows', async () => {
    const rows = await env.client.getRecords('lake.main.orders').toArray();
    assert.equal(rows.length, 40);
  });

  test('a subset of columns, in the order asked, quoted names included', async () => {
    const columns = ['unit price', 'line id'];
    const table = await env.client.getRecords('warehouse.main.order lines', { columns, limit: 10 }).toTable();
    const canon = canonFromArrow(table);
    assert.deepEqual(canon.names, columns);
    assert.equal(canon.rows.length, 3);
    assertSubset(canon.rows, await referenceRows('warehouse.main.order lines', columns), 'order lines');
  });

  test('over HTTP: /records?limit=&columns= returns the same rows as gRPC', async () => {
    const viaGrpc = await env.client
      .getRecords('lake.main.customers', { columns: ['name', 'country'], limit: 4 })
      .toArray();
    const body = await httpJson<QueryBody>(
      env.cluster,
      '/v1/catalog/tables/lake.main.customers/records?limit=4&columns=name,country',
    );
    assert.deepEqual(body.data, viaGrpc);
    assert.equal(body.data.length, 4);
    assert.deepEqual(Object.keys(body.data[0] ?? {}), ['name', 'country']);
    assert.equal(body.metadata.row_count, 4);
    const spaced = await httpJson<QueryBody>(
      env.cluster,
      `/v1/catalog/tables/${encodeURIComponent('warehouse.main.order lines')}/records?columns=${encodeURIComponent('line id,Product Name')}`,
    );
    assert.deepEqual(Object.keys(spaced.data[0] ?? {}), ['line id', 'Product Name']);
    assert.equal(spaced.data.length, 3);
  });

  test('an unknown column → INVALID_ARGUMENT', async () => {
    await expectGrpcError(
      env.client.getRecords('lake.main.customers', { columns: ['name', 'nope'] }).toArray(),
      'INVALID_ARGUMENT',
    );
    await expectHttpError(
      await env.cluster.http('/v1/catalog/tables/lake.main.customers/records?columns=name,nope'),
      400,
      'INVALID_ARGUMENT',
    );
  });

  test('a column name cannot smuggle SQL', async () => {
    const columns = ['name" FROM lake.main.customers; --', 'name, (SELECT 1) AS x'];
    for (const column of columns) {
      await expectGrpcError(
        env.client.getRecords('lake.main.customers', { columns: [column] }).toArray(),
        'INVALID_ARGUMENT',
      );
    }
  });

  test('an unknown table → NOT_FOUND; a limit over 10,000 → INVALID_ARGUMENT', async () => {
    await expectGrpcError(env.client.getRecords('lake.main.nope').toArray(), 'NOT_FOUND');
    await expectHttpError(
      await env.cluster.http('/v1/catalog/tables/lake.main.nope/records'),
      404,
      'NOT_FOUND',
    );
    await expectGrpcError(
      env.client.getRecords('lake.main.orders', { limit: 10_001 }).toArray(),
      'INVALID_ARGUMENT',
    );
    await expectHttpError(
      await env.cluster.http('/v1/catalog/tables/lake.main.orders/records?limit=10001'),
      400,
      'INVALID_ARGUMENT',
    );
    await expectHttpError(
      await env.cluster.http('/v1/catalog/tables/lake.main.orders/records?limit=-5'),
      400,
      'INVALID_ARGUMENT',
    );
  });
});
