// Filters pushed into the PostgreSQL read of a query finished in DuckDB:
// the same answer as without them, fewer rows read when the query's
// filters on a table translate, all rows when they do not.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { canonFromArrow, sortRows } from '../support/canonical.js';
import { Cluster } from '../support/cluster.js';
import { PostgresServer } from '../support/postgres.js';

const READER_PASSWORD = 'reader-Filters-7731';
const ROWS = 200;

// Text in an ICU collation, where 'B' sorts before 'c' and after 'a' whatever the case;
// DuckDB compares bytes, so a pushed comparison must too.
const SETUP = [
  `CREATE TABLE public.items (
     id integer, name text COLLATE "und-x-icu", grp varchar(4), qty integer, price numeric(10,2),
     score double precision, flag boolean, day date, ts timestamp, ref uuid, note jsonb, code character(3))`,
  `INSERT INTO public.items
     SELECT n,
            CASE WHEN n % 13 = 0 THEN NULL
                 ELSE (ARRAY['alpha', 'Beta', 'beta', 'ünï', 'a_b', 'a%b', 'a\\b', 'Zed'])[1 + n % 8] || n END,
            CASE WHEN n % 7 = 0 THEN NULL ELSE (ARRAY['x', 'y', 'z'])[1 + n % 3] END,
            CASE WHEN n % 11 = 0 THEN NULL ELSE n % 50 - 10 END,
            CASE WHEN n % 9 = 0 THEN NULL ELSE (n * 1.25)::numeric(10,2) END,
            CASE WHEN n % 17 = 0 THEN 'NaN'::float8 WHEN n % 5 = 0 THEN NULL ELSE n / 8.0 END,
            CASE WHEN n % 6 = 0 THEN NULL ELSE n % 2 = 0 END,
            DATE '2024-01-01' + n,
            TIMESTAMP '2024-01-01 00:00:00' + n * interval '7 hours',
            ('00000000-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid,
            jsonb_build_object('n', n),
            (ARRAY['ab', 'abc', NULL])[1 + n % 3]
       FROM generate_series(1, ${ROWS}) AS n`,
  `CREATE ROLE reader LOGIN PASSWORD '${READER_PASSWORD}'`,
  'GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader',
];

/** (query over `{t}`, parameters, whether a filter reaches PostgreSQL) */
const CASES: [string, (string | number | boolean)[], boolean][] = [
  ['SELECT * FROM {t} WHERE id = 42', [], true],
  ["SELECT id, name FROM {t} WHERE qty BETWEEN -3 AND $1 AND grp IN ($2, 'z')", [5, 'x'], true],
  ["SELECT id FROM {t} WHERE name < 'b'", [], true],
  ["SELECT id FROM {t} WHERE name >= 'Beta' AND name <> 'beta3'", [], true],
  ["SELECT id, name FROM {t} WHERE name LIKE 'a_b%'", [], true],
  ["SELECT id, name FROM {t} WHERE name LIKE 'a\\b%'", [], true],
  ["SELECT id FROM {t} WHERE name NOT LIKE '%eta%'", [], true],
  ['SELECT id FROM {t} WHERE name IS NULL OR qty IS NULL', [], true],
  ['SELECT id, price FROM {t} WHERE price > 100.50 AND price <= $1', [200], true],
  ['SELECT id, score FROM {t} WHERE score > 12.5', [], true],
  ['SELECT id, score FROM {t} WHERE score >= $1', [20.125], true],
  ['SELECT id FROM {t} WHERE NOT flag', [], true],
  ['SELECT id FROM {t} WHERE flag = $1 AND id < 50', [true], true],
  ["SELECT id FROM {t} WHERE day > '2024-05-01' AND ts < '2024-02-10 12:30:00'", [], true],
  ["SELECT id FROM {t} WHERE ref = '00000000-0000-0000-0000-000000000007'", [], true],
  ["SELECT id, note FROM {t} WHERE note IS NOT NULL AND grp NOT IN ('x')", [], true],
  ['SELECT grp, count(*) AS n FROM {t} WHERE id % 3 = 0 AND qty > 0 GROUP BY grp ORDER BY grp', [], true],
  // Nothing translates: every row is read.
  ["SELECT id FROM {t} WHERE code = 'ab'", [], false],
  ["SELECT id FROM {t} WHERE name ILIKE 'b%'", [], false],
  ["SELECT id FROM {t} WHERE price = '187.5'", [], false],
  ['SELECT id FROM {t} WHERE qty = $1', [2.5], false],
  ['SELECT id FROM {t} WHERE lower(name) = $1', ['beta1'], false],
];

let server: PostgresServer;
let cluster: Cluster;

function source(name: string, pushdownFilters: boolean) {
  return {
    name,
    type: 'postgres',
    host: server.host,
    port: server.port,
    database: 'filters',
    user: 'reader',
    password_env: 'FILTERS_PG_PASSWORD',
    pushdown: false,
    pushdown_filters: pushdownFilters,
  };
}

async function rowsRead(name: string): Promise<number> {
  const text = await (await fetch(`${cluster.edgeHttpUrls.get('edge-filters')}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`tributary_edge_postgres_rows_read_total{source="${name}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function run(name: string, sql: string, params: (string | number | boolean)[]) {
  const before = await rowsRead(name);
  const table = await cluster
    .client()
    .query(sql.replace('{t}', `${name}.public.items`), { params })
    .toTable();
  const result = canonFromArrow(table);
  // Without ORDER BY the two reads may order rows differently; the rows themselves must match.
  return { result: { ...result, rows: sortRows(result.rows) }, read: (await rowsRead(name)) - before };
}

before(async () => {
  server = await PostgresServer.start();
  await server.query('CREATE DATABASE filters');
  for (const sql of SETUP) await server.query(sql, [], 'filters');
  cluster = await Cluster.start({
    edges: [{ name: 'edge-filters', sources: [source('filtered', true), source('whole', false)] }],
    env: { FILTERS_PG_PASSWORD: READER_PASSWORD },
  });
});

after(async () => {
  await cluster?.stop();
  await server?.stop();
});

describe('filters pushed into PostgreSQL reads', () => {
  for (const [sql, params, pushed] of CASES) {
    test(`${sql} ${JSON.stringify(params)}: same rows, ${pushed ? 'fewer' : 'all'} read`, async () => {
      const filtered = await run('filtered', sql, params);
      const whole = await run('whole', sql, params);
      assert.equal(whole.read, ROWS);
      assert.deepStrictEqual(filtered.result, whole.result);
      if (pushed) assert.ok(filtered.read < ROWS, `${filtered.read} rows read`);
      else assert.equal(filtered.read, ROWS);
    });
  }

  test('a filter of any kind never changes the answer: compared with PostgreSQL itself', async () => {
    const { result } = await run('filtered', "SELECT id FROM {t} WHERE name < 'b' ORDER BY id", []);
    const direct = await server.query<{ id: number }>(
      `SELECT id FROM public.items WHERE name COLLATE "C" < 'b' ORDER BY id`,
      [],
      'filters',
    );
    assert.deepEqual(
      result.rows.map((r) => Number(r[0])).sort((a, b) => a - b),
      direct.map((r) => r.id),
    );
  });
});
