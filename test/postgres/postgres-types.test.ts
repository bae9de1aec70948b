// Every PostgreSQL column type the catalog maps, through both query paths:
// the same query answers with the same Arrow schema and the same values
// whether PostgreSQL runs it (pushdown) or DuckDB finishes it (fallback),
// and the catalog reports the type both return.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { canonFromArrow } from '../support/canonical.js';
import { Cluster } from '../support/cluster.js';
import { PostgresServer } from '../support/postgres.js';

const READER_PASSWORD = 'reader-Types-5120';

interface TypeCase {
  pgType: string;
  /** The catalog's type for the column, as the HTTP catalog reports it. */
  catalog: string;
  /** SQL literals, one row each; NULL is added to every case. */
  values: string[];
}

const CASES: TypeCase[] = [
  { pgType: 'smallint', catalog: 'SMALLINT', values: ['7', '-32768', '32767'] },
  { pgType: 'integer', catalog: 'INTEGER', values: ['0', '-2147483648', '2147483647'] },
  { pgType: 'bigint', catalog: 'BIGINT', values: ['9007199254740993', '-9223372036854775808'] },
  { pgType: 'real', catalog: 'FLOAT', values: ['1.5', "'NaN'", "'-Infinity'", '3.4e38', '0.1'] },
  {
    pgType: 'double precision',
    catalog: 'DOUBLE',
    values: ['0.1', '1e308', "'Infinity'", "'NaN'", "'-0'", '-2.5e-300'],
  },
  { pgType: 'numeric(12,2)', catalog: 'DECIMAL(12,2)', values: ['10.50', '-0.01', '9999999999.99', '0'] },
  { pgType: 'numeric(4,0)', catalog: 'DECIMAL(4,0)', values: ['9999', '-12'] },
  {
    pgType: 'numeric(38,10)',
    catalog: 'DECIMAL(38,10)',
    values: ['1234567890123456789012345678.0123456789', '-0.0000000001'],
  },
  {
    pgType: 'numeric',
    catalog: 'VARCHAR',
    values: ['1.234567890123456789012345678901234567890123', "'NaN'"],
  },
  {
    pgType: 'numeric(50,2)',
    catalog: 'VARCHAR',
    values: ['123456789012345678901234567890123456789012345.67'],
  },
  { pgType: 'boolean', catalog: 'BOOLEAN', values: ['true', 'false'] },
  // DuckDB orders text by bytes; so must PostgreSQL, whatever the column's collation.
  { pgType: 'text COLLATE "und-x-icu"', catalog: 'VARCHAR', values: ["'a'", "'B'", "'c'", "'Ä'", "'b'"] },
  { pgType: 'text', catalog: 'VARCHAR', values: ["'a'", "''", "'ünïcødé ✓'", `'say "hi", it''s \\ {x}'`] },
  { pgType: 'varchar(8)', catalog: 'VARCHAR', values: ["'EMEA'", "' padded '"] },
  { pgType: 'character(5)', catalog: 'VARCHAR', values: ["'ab'", "'abcde'"] },
  {
    pgType: 'uuid',
    catalog: 'UUID',
    values: ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'00000000-0000-0000-0000-000000000000'"],
  },
  { pgType: 'json', catalog: 'JSON', values: [`'{"k":   1, "a": [1, "x"]}'`, "'[]'", '\'"s"\''] },
  { pgType: 'jsonb', catalog: 'JSON', values: [`'{"k":   1, "a": [1, "x"]}'`, "'null'", "'1.50'"] },
  { pgType: 'bytea', catalog: 'BLOB', values: ["'\\x00ff10'", "''", "'\\x5c78'"] },
  {
    pgType: 'date',
    catalog: 'DATE',
    values: ["'2024-02-29'", "'0050-01-01'", "'1969-12-31'", "'0044-03-15 BC'", "'infinity'", "'-infinity'"],
  },
  { pgType: 'time', catalog: 'TIME', values: ["'04:05:06.789'", "'00:00:00'", "'23:59:59.999999'"] },
  {
    pgType: 'timestamp',
    catalog: 'TIMESTAMP',
    values: [
      "'2024-01-02 03:04:05.123456'",
      "'1900-01-01 00:00:00'",
      "'1969-12-31 23:59:59.5'",
      "'0044-03-15 12:00:00 BC'",
      "'infinity'",
    ],
  },
  {
    pgType: 'timestamptz',
    catalog: 'TIMESTAMP WITH TIME ZONE',
    values: [
      "'2024-01-02 03:04:05.5+02'",
      "'1960-06-01 12:00:00-05:30'",
      "'0001-01-01 00:00:00+00 BC'",
      "'-infinity'",
    ],
  },
  {
    pgType: 'interval',
    catalog: 'INTERVAL',
    values: [
      "'1 year 2 months 3 days 04:05:06.5'",
      "'-1 day +02:03'",
      "'-00:00:01.000001'",
      "'0'",
      "'100 hours'",
    ],
  },
  { pgType: 'smallint[]', catalog: 'SMALLINT[]', values: ["'{1,NULL,-3}'", "'{}'"] },
  { pgType: 'integer[]', catalog: 'INTEGER[]', values: ["'{1,2}'", "'{NULL}'"] },
  { pgType: 'bigint[]', catalog: 'BIGINT[]', values: ["'{9007199254740993,-1}'"] },
  { pgType: 'real[]', catalog: 'FLOAT[]', values: ["'{0.1,NaN}'"] },
  { pgType: 'double precision[]', catalog: 'DOUBLE[]', values: ["'{0.1,-1e300,-Infinity}'"] },
  { pgType: 'numeric(12,2)[]', catalog: 'DECIMAL(12,2)[]', values: ["'{1.50,NULL,-3}'"] },
  { pgType: 'boolean[]', catalog: 'BOOLEAN[]', values: ["'{t,f,NULL}'"] },
  {
    pgType: 'text[]',
    catalog: 'VARCHAR[]',
    values: [`'{"a b","NULL",NULL,"\\"q\\"","x,y",""}'`, "'{}'"],
  },
  { pgType: 'varchar(4)[]', catalog: 'VARCHAR[]', values: ["'{ab,cd}'"] },
  { pgType: 'character(3)[]', catalog: 'VARCHAR[]', values: ["'{a,abc}'"] },
  { pgType: 'bytea[]', catalog: 'BLOB[]', values: [`'{"\\\\x00ff",NULL}'`] },
  { pgType: 'uuid[]', catalog: 'UUID[]', values: ["'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'"] },
  { pgType: 'jsonb[]', catalog: 'JSON[]', values: [`ARRAY['{"k": [1, 2]}'::jsonb, 'null'::jsonb]`] },
  { pgType: 'date[]', catalog: 'DATE[]', values: ["'{2024-02-29,1999-01-01}'"] },
  { pgType: 'time[]', catalog: 'TIME[]', values: ["'{04:05:06.5}'"] },
  { pgType: 'timestamp[]', catalog: 'TIMESTAMP[]', values: ['\'{"2024-01-02 03:04:05.123456"}\''] },
  {
    pgType: 'timestamptz[]',
    catalog: 'TIMESTAMP WITH TIME ZONE[]',
    values: ['\'{"2024-01-02 03:04:05.5+02"}\''],
  },
  { pgType: 'interval[]', catalog: 'INTERVAL[]', values: ['\'{"1 mon 2 days 00:00:03"}\''] },
];

/** Queries over one case's table `t` (id, v): projections and the aggregates DuckDB retypes. */
const QUERIES: { sql: string; types?: RegExp; aggregate?: boolean; opaque?: boolean }[] = [
  { sql: 'SELECT id, v FROM {t} ORDER BY id' },
  { sql: 'SELECT v AS value, id IS NULL AS flag FROM {t} WHERE v IS NOT NULL ORDER BY id' },
  { sql: 'SELECT count(v) AS n, count(*) FROM {t}' },
  // Types DuckDB holds as text (and jsonb, intervals, arrays, padded text) do not order alike: DuckDB orders them.
  { sql: 'SELECT id, v FROM {t} ORDER BY v NULLS FIRST, id', opaque: true },
  { sql: 'SELECT id FROM {t} WHERE v IS NULL' },
  {
    sql: 'SELECT sum(v) AS total, min(v) AS low, max(v) AS high FROM {t}',
    aggregate: true,
    types: /^(smallint|integer|bigint|real|double precision|numeric\((12|4|38),\d+\))$/,
  },
  {
    sql: 'SELECT min(v) AS low, max(v) AS high FROM {t}',
    aggregate: true,
    types:
      /^(date|time|timestamp|timestamptz|interval|text|text COLLATE "und-x-icu"|varchar\(8\)|character\(5\)|uuid|boolean|bytea)$/,
  },
];

const OPAQUE = /^(numeric|numeric\(50,2\)|character\(\d+\)|json|jsonb|interval)$|\[\]$/;

let server: PostgresServer;
let cluster: Cluster;

function source(name: string, pushdown: boolean) {
  return {
    name,
    type: 'postgres',
    host: server.host,
    port: server.port,
    database: 'types',
    user: 'reader',
    password_env: 'TYPES_PG_PASSWORD',
    pushdown,
  };
}

async function routed(path: string): Promise<number> {
  const text = await (await fetch(`${cluster.edgeHttpUrls.get('edge-types')}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`tributary_edge_query_paths_total{path="${path}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** Runs `sql`; also says which path the edge took for it. */
async function run(sql: string) {
  const before = await routed('pushdown');
  const table = await cluster.client().query(sql).toTable();
  const path = (await routed('pushdown')) > before ? 'pushdown' : 'fallback';
  return { result: canonFromArrow(table), path };
}

before(async () => {
  server = await PostgresServer.start();
  await server.query('CREATE DATABASE types');
  const setup = [
    `CREATE ROLE reader LOGIN PASSWORD '${READER_PASSWORD}'`,
    ...CASES.flatMap((c, i) => [
      `CREATE TABLE public.c${i} (id integer, v ${c.pgType})`,
      `INSERT INTO public.c${i} VALUES ${[...c.values, 'NULL'].map((v, row) => `(${row}, ${v})`).join(', ')}`,
    ]),
    'GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader',
  ];
  for (const sql of setup) await server.query(sql, [], 'types');
  cluster = await Cluster.start({
    edges: [{ name: 'edge-types', sources: [source('pushed', true), source('local', false)] }],
    env: { TYPES_PG_PASSWORD: READER_PASSWORD },
  });
});

after(async () => {
  await cluster?.stop();
  await server?.stop();
});

describe('PostgreSQL types through both query paths', () => {
  for (const [i, c] of CASES.entries()) {
    test(`${c.pgType}: same schema and values pushed down and in DuckDB; catalog says ${c.catalog}`, async () => {
      const response = await cluster.http(`/v1/catalog/tables/pushed.public.c${i}`);
      assert.equal(response.status, 200);
      const { columns } = (await response.json()) as { columns: { name: string; sql_type: string }[] };
      assert.equal(columns.find((col) => col.name === 'v')?.sql_type, c.catalog);

      for (const query of QUERIES) {
        if (query.types && !query.types.test(c.pgType)) continue;
        const pushed = await run(query.sql.replace('{t}', `pushed.public.c${i}`));
        const local = await run(query.sql.replace('{t}', `local.public.c${i}`));
        assert.equal(local.path, 'fallback');
        // Aggregates PostgreSQL computes differently (sum of reals) or lacks (min of booleans) run in DuckDB.
        if (!query.aggregate && !(query.opaque && OPAQUE.test(c.pgType)))
          assert.equal(pushed.path, 'pushdown', query.sql);
        // DuckDB's sort turns -0.0 into 0 in the rows it orders; PostgreSQL keeps the sign.
        const unsigned = (r: typeof pushed.result) =>
          query.sql.includes('ORDER BY v')
            ? { ...r, rows: r.rows.map((row) => row.map((v) => (Object.is(v, -0) ? 0 : v))) }
            : r;
        assert.deepStrictEqual(unsigned(pushed.result), unsigned(local.result), query.sql);
      }
    });
  }
});
