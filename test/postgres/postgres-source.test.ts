// A PostgreSQL source served by an edge, against a real PostgreSQL server:
// catalog types, queries pushed down whole and queries finished in DuckDB
// (both equal to PostgreSQL's own answer), governance, cancellation and a
// wrong password.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../support/assertions.js';
import { Cluster } from '../support/cluster.js';
import { finishStream, metadataOf, rawQueryService } from '../support/grpc.js';
import { signToken } from '../support/jwt.js';
import { PostgresServer } from '../support/postgres.js';

const READER_PASSWORD = 'reader-Secret-4711';
const WRONG_PASSWORD = 'Not-The-Password-9921';

const SETUP = ['CREATE DATABASE shop'];

const SHOP = [
  `CREATE TABLE public.orders (
     id integer PRIMARY KEY, customer text NOT NULL, region varchar(8), amount numeric(12,2), paid boolean,
     placed_on date, created_at timestamp, updated_at timestamptz, ref uuid, attrs jsonb, tags text[],
     qty integer[], big bigint, score double precision, small smallint)`,
  `INSERT INTO public.orders VALUES
     (1, 'ana', 'EMEA', 10.50, true, '2024-01-02', '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.5+02',
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"k": 1}', '{x,y}', '{1,2}', 9007199254740993, 1.5, 7),
     (2, 'bo', 'AMER', 20.00, false, '2023-12-31', '2023-12-31 23:59:59', '2023-12-31 23:59:59+00',
      NULL, '[]', '{}', '{3}', -5, -0.25, -1),
     (3, 'cy', 'EMEA', 7.25, true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
     (4, 'di', NULL, NULL, NULL, '2024-02-29', '2024-02-29 12:00:00', '2024-02-29 12:00:00-05',
      'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', '{"a": [1, 2]}', '{"with space"}', '{4,5,6}', 0, 0, 0)`,
  `CREATE TABLE public.customers (id integer, name text, email text, region text)`,
  `INSERT INTO public.customers VALUES (1, 'ana', 'ana@example.com', 'EMEA'), (2, 'bo', 'bo@example.org', 'AMER'),
     (3, 'cy', 'cy@example.net', 'EMEA')`,
  'CREATE TABLE public.numbers AS SELECT n FROM generate_series(1, 2000) AS n',
  `CREATE ROLE reader LOGIN PASSWORD '${READER_PASSWORD}'`,
  'GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader',
];

const POLICIES = {
  grants: [{ id: 'analysts-shop', effect: 'allow', to: { role: 'analyst' }, on: { source: 'shop' } }],
  rowFilters: [
    {
      id: 'own-region',
      table: 'shop.public.customers',
      predicate: 'region = :user.region',
      exempt: { roles: ['admin'] },
    },
  ],
  masks: [
    {
      id: 'email-domain',
      table: 'shop.public.customers',
      column: 'email',
      mask: { kind: 'email_domain' },
      unless: { roles: ['admin'] },
    },
  ],
};

let server: PostgresServer;
let cluster: Cluster;

function shopSource(extra: Record<string, unknown> = {}) {
  return {
    name: 'shop',
    type: 'postgres',
    host: server.host,
    port: server.port,
    database: 'shop',
    user: 'reader',
    password_env: 'SHOP_PG_PASSWORD',
    ...extra,
  };
}

async function edgeMetric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${cluster.edgeHttpUrls.get('edge-pg')}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** Runs `sql` through the coordinator and reports which path the edge took. */
async function viaTributary(sql: string, params: (string | number)[] = []) {
  const before = {
    pushdown: await edgeMetric('tributary_edge_query_paths_total', 'path="pushdown"'),
    fallback: await edgeMetric('tributary_edge_query_paths_total', 'path="fallback"'),
  };
  const rows = await cluster.client().query(sql, { params }).toArray();
  const path =
    (await edgeMetric('tributary_edge_query_paths_total', 'path="pushdown"')) > before.pushdown
      ? 'pushdown'
      : (await edgeMetric('tributary_edge_query_paths_total', 'path="fallback"')) > before.fallback
        ? 'fallback'
        : 'engine';
  return { rows, path };
}

before(async () => {
  server = await PostgresServer.start();
  for (const sql of SETUP) await server.query(sql);
  for (const sql of SHOP) await server.query(sql, [], 'shop');
  cluster = await Cluster.start({
    edges: [{ name: 'edge-pg', sources: [shopSource()] }],
    env: { SHOP_PG_PASSWORD: READER_PASSWORD, WRONG_PG_PASSWORD: WRONG_PASSWORD },
    policies: POLICIES,
  });
});

after(async () => {
  await cluster?.stop();
  await server?.stop();
});

describe('PostgreSQL source', () => {
  test('the catalog shows PostgreSQL tables with mapped types', async () => {
    const response = await cluster.http('/v1/catalog/tables/shop.public.orders', {
      headers: { 'x-api-key': cluster.apiKey },
    });
    assert.equal(response.status, 200);
    const table = (await response.json()) as {
      columns: { name: string; sql_type: string; nullable: boolean }[];
    };
    const types = Object.fromEntries(table.columns.map((c) => [c.name, c.sql_type]));
    assert.deepEqual(types, {
      id: 'INTEGER',
      customer: 'VARCHAR',
      region: 'VARCHAR',
      amount: 'DECIMAL(12,2)',
      paid: 'BOOLEAN',
      placed_on: 'DATE',
      created_at: 'TIMESTAMP',
      updated_at: 'TIMESTAMP WITH TIME ZONE',
      ref: 'UUID',
      attrs: 'JSON',
      tags: 'VARCHAR[]',
      qty: 'INTEGER[]',
      big: 'BIGINT',
      score: 'DOUBLE',
      small: 'SMALLINT',
    });
  });

  test('values of every mapped type arrive intact, NULLs included', async () => {
    // `%` is not on the pushdown list, so the rows go through DuckDB.
    const { rows, path } = await viaTributary(
      'SELECT * FROM shop.public.orders WHERE id % 1 = 0 ORDER BY id',
    );
    assert.equal(path, 'fallback');
    assert.equal(rows.length, 4);
    const [first, , third] = rows as Record<string, unknown>[];
    assert.equal(first?.customer, 'ana');
    assert.equal(String(first?.amount), '10.50');
    assert.equal(first?.paid, true);
    assert.equal(String(first?.big), '9007199254740993');
    assert.equal(first?.score, 1.5);
    assert.equal(first?.small, 7);
    assert.equal(first?.ref, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    assert.deepEqual(JSON.parse(String(first?.attrs)), { k: 1 });
    assert.deepEqual(first?.tags, ['x', 'y']);
    assert.deepEqual(first?.qty, [1, 2]);
    assert.equal(first?.placed_on, '2024-01-02');
    assert.equal(first?.created_at, '2024-01-02T03:04:05.123456');
    assert.equal(first?.updated_at, '2024-01-02T01:04:05.500000Z');
    assert.deepEqual(
      Object.entries(third as object)
        .filter(([, v]) => v !== null)
        .map(([k]) => k),
      ['id', 'customer', 'region', 'amount', 'paid'],
    );
  });

  test('a portable query runs whole in PostgreSQL and equals PostgreSQL’s answer', async () => {
    const sql = `SELECT region, count(*) AS n, sum(small) AS s, min(placed_on) AS first_day
                   FROM shop.public.orders WHERE amount > $1 OR amount IS NULL GROUP BY region ORDER BY region`;
    const { rows, path } = await viaTributary(sql, [5]);
    assert.equal(path, 'pushdown');
    const direct = await server.query(
      `SELECT region, count(*) AS n, sum(small) AS s, min(placed_on)::text AS first_day
         FROM public.orders WHERE amount > $1 OR amount IS NULL GROUP BY region ORDER BY region NULLS LAST`,
      [5],
      'shop',
    );
    const day = (v: unknown) => (v == null ? null : String(v).slice(0, 10));
    const num = (v: unknown) => (v == null ? null : Number(v));
    assert.deepEqual(
      rows.map((r) => ({ region: r.region ?? null, n: num(r.n), s: num(r.s), first_day: day(r.first_day) })),
      direct.map((r) => ({ region: r.region, n: num(r.n), s: num(r.s), first_day: r.first_day })),
    );
  });

  test('a query with DuckDB-only SQL is finished in DuckDB and equals PostgreSQL’s answer', async () => {
    const sql = `SELECT customer || '/' || coalesce(region, '?') AS label, amount
                   FROM shop.public.orders WHERE id < 4 ORDER BY id`;
    const { rows, path } = await viaTributary(sql);
    assert.equal(path, 'fallback');
    const direct = await server.query(sql.replace('shop.public.', 'public.'), [], 'shop');
    assert.deepEqual(
      rows.map((r) => r.label),
      direct.map((r) => r.label),
    );
    assert.deepEqual(
      rows.map((r) => Number(r.amount)),
      direct.map((r) => Number(r.amount)),
    );
  });

  test('row filters and masks apply to PostgreSQL tables', async () => {
    const emea = await signToken(cluster, {
      sub: 'emma',
      roles: ['analyst'],
      attributes: { region: 'EMEA' },
    });
    const rows = await cluster
      .client({ token: emea })
      .query('SELECT id, email, region FROM shop.public.customers ORDER BY id')
      .toArray();
    assert.deepEqual(
      rows.map((r) => r.id),
      [1, 3],
    );
    for (const row of rows) {
      assert.equal(row.region, 'EMEA');
      assert.match(String(row.email), /^\*\*\*@example\.(com|net)$/);
    }
  });

  // Never finishes on its own: a count over 2000^4 joined rows.
  const heavy = `SELECT count(*) AS n FROM shop.public.numbers a JOIN shop.public.numbers b ON a.n <> b.n
                   JOIN shop.public.numbers c ON b.n <> c.n JOIN shop.public.numbers d ON c.n <> d.n`;
  const running = `SELECT count(*)::int AS n FROM pg_stat_activity
                    WHERE application_name = 'tributary-edge:shop' AND state = 'active' AND query LIKE '%numbers%'`;
  const backends = async () => (await server.query<{ n: number }>(running))[0]?.n;

  test('cancelling a query stops its PostgreSQL backend', async () => {
    const stub = rawQueryService(cluster.grpcAddress);
    const call = stub.ExecuteQuery(
      { sql: heavy, params: [], limit: 0 },
      metadataOf({ 'x-api-key': cluster.apiKey }),
    );
    const outcome = finishStream(call);
    await eventually(async () => (await backends()) === 1, 20_000, 'the query running in PostgreSQL');
    call.cancel();
    await outcome;
    stub.close();
    await eventually(async () => (await backends()) === 0, 20_000, 'the backend stopped');
  });

  test('an HTTP client that disconnects stops the PostgreSQL backend', async () => {
    const disconnect = new AbortController();
    const response = cluster
      .http('/v1/query', { method: 'POST', json: { sql: heavy }, signal: disconnect.signal })
      .catch((error: Error) => error);
    await eventually(async () => (await backends()) === 1, 20_000, 'the query running in PostgreSQL');
    disconnect.abort();
    assert.equal(((await response) as Error).name, 'AbortError');
    await eventually(async () => (await backends()) === 0, 20_000, 'the backend stopped');
  });

  test('a wrong password fails clearly at the edge and is never logged', async () => {
    const edge = await cluster
      .startEdge(
        { name: 'edge-bad', sources: [shopSource({ password_env: 'WRONG_PG_PASSWORD' })] },
        { registered: false },
      )
      .then(
        () => 'started',
        (error: Error) => error.message,
      );
    assert.notEqual(edge, 'started');
    const log = readFileSync(join(cluster.dir, 'edge-bad.log'), 'utf8');
    assert.match(log, /UNAUTHENTICATED|password authentication failed/);
    assert.doesNotMatch(log, new RegExp(WRONG_PASSWORD));
    assert.doesNotMatch(log, new RegExp(READER_PASSWORD));
  });
});
