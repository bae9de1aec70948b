// Test data, generated at test time with DuckDB itself, and a reference
// DuckDB that reads it exactly the way an edge does, so every query can be
// answered twice: once through Tributary, once by DuckDB directly.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBPreparedStatement,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { EdgeSpec } from './cluster.js';

/** A query parameter as the tests send it (the SDK's and the HTTP API's value kinds). */
export type Param = null | boolean | number | bigint | string;

export interface FixtureOptions {
  /** Also write `lake.main.big` with this many rows (id, doubled, label, bucket). */
  bigRows?: number;
}

export interface Fixtures {
  dir: string;
  /** Source `lake` (type files): Parquet, CSV and NDJSON files. */
  lakeDir: string;
  /** Source `warehouse` (type duckdb). */
  warehouseFile: string;
  /** Both sources, as an edge configuration lists them. */
  sources: EdgeSpec['sources'];
  /** Every table the two sources serve, as `source.schema.table`. */
  tables: string[];
  cleanup(): void;
}

/** The tables of the files source: file name → format (the edge names a table after its file). */
const LAKE_FILES: Record<string, 'parquet' | 'csv' | 'json'> = {
  'customers.parquet': 'parquet',
  'orders.parquet': 'parquet',
  'all_types.parquet': 'parquet',
  'events.csv': 'csv',
  'tickets.ndjson': 'json',
};

/**
 * One row per flavour of value: ordinary, extreme, all NULL, zero/empty.
 * Timestamps have millisecond precision here; microseconds are exercised
 * separately because the JSON encoding loses them (see the results tests).
 */
const ALL_TYPES_SQL = `
SELECT * FROM (VALUES
  (1, true, 12::TINYINT, 1234::SMALLINT, 123456::INTEGER, 1234567890123::BIGINT, 42::UBIGINT,
   123456789012345678901234567890::HUGEINT, 1.5::FLOAT, 3.141592653589793::DOUBLE,
   123.4::DECIMAL(4,1), 123456.789::DECIMAL(9,3), 123456789012.345678::DECIMAL(18,6),
   1234567890123456789012345678.0123456789::DECIMAL(38,10),
   'héllo wörld – ünïcode ✓ 日本語 🚀', '\\x00\\x01\\xFE\\xFFabc'::BLOB,
   DATE '2024-02-29', TIMESTAMP '2024-02-29 13:45:30.123', TIMESTAMPTZ '2024-03-10 12:00:00.250+02',
   [1, 2, 3]::INTEGER[], ['a', 'b c', 'ü']::VARCHAR[], {'a': 7, 'b': 'seven'}::STRUCT(a INTEGER, b VARCHAR),
   [{'k': 'x', 'v': 1.25}, {'k': 'y', 'v': -2.5}]::STRUCT(k VARCHAR, v DOUBLE)[]),
  (2, false, (-128)::TINYINT, (-32768)::SMALLINT, (-2147483648)::INTEGER, (-9223372036854775808)::BIGINT,
   18446744073709551615::UBIGINT, (-170141183460469231731687303715884105727)::HUGEINT, (-0.25)::FLOAT,
   (-1.0e300)::DOUBLE, (-999.9)::DECIMAL(4,1), (-999999.999)::DECIMAL(9,3),
   (-999999999999.999999)::DECIMAL(18,6), (-9999999999999999999999999999.9999999999)::DECIMAL(38,10),
   '', ''::BLOB, DATE '1969-07-20', TIMESTAMP '1969-12-31 23:59:59.500', TIMESTAMPTZ '1900-01-01 00:00:00+00',
   []::INTEGER[], []::VARCHAR[], {'a': NULL, 'b': NULL}::STRUCT(a INTEGER, b VARCHAR),
   []::STRUCT(k VARCHAR, v DOUBLE)[]),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL),
  (4, true, 0::TINYINT, 0::SMALLINT, 0::INTEGER, 9223372036854775807::BIGINT, 0::UBIGINT, 0::HUGEINT,
   0::FLOAT, 0::DOUBLE, 0.0::DECIMAL(4,1), 0.001::DECIMAL(9,3), (-0.000001)::DECIMAL(18,6),
   0.0000000001::DECIMAL(38,10), 'x', 'x'::BLOB, DATE '2000-01-01', TIMESTAMP '2000-01-01 00:00:00',
   TIMESTAMPTZ '2038-01-19 03:14:08+00', [NULL, 5]::INTEGER[], [NULL]::VARCHAR[],
   NULL::STRUCT(a INTEGER, b VARCHAR), [NULL, {'k': NULL, 'v': NULL}]::STRUCT(k VARCHAR, v DOUBLE)[])
) t(id, c_bool, c_tinyint, c_smallint, c_int, c_bigint, c_ubigint, c_hugeint, c_float, c_double,
    c_dec_4_1, c_dec_9_3, c_dec_18_6, c_dec_38_10, c_varchar, c_blob, c_date, c_ts, c_tstz,
    c_int_list, c_str_list, c_struct, c_struct_list)`;

const CUSTOMERS_SQL = `
SELECT * FROM (VALUES
  (1, 'Ada Lovelace', 'GB', DATE '2020-01-15', true),
  (2, 'Zoë Ñúñez', 'ES', DATE '2021-06-30', false),
  (3, '李雷', 'CN', NULL, true),
  (4, 'Grace Hopper', 'US', DATE '2019-11-02', NULL),
  (5, 'Jürgen Müller', 'DE', DATE '2022-02-28', false),
  (6, 'Nobody Yet', NULL, DATE '2023-12-31', false),
  (7, 'Émile Zola', 'FR', DATE '1999-12-31', true)
) t(id, name, country, signup, vip)`;

// Customer 99 does not exist and some orders have no customer: left joins keep them.
const ORDERS_SQL = `
SELECT i::BIGINT AS order_id,
       (CASE WHEN i % 9 = 0 THEN NULL WHEN i % 13 = 0 THEN 99 ELSE (i % 7) + 1 END)::INTEGER AS customer_id,
       ((i * 37) % 1000 + (i % 4) * 0.25)::DECIMAL(10,2) AS amount,
       ['pending', 'shipped', 'returned', 'shipped'][i % 4 + 1] AS status,
       TIMESTAMP '2024-01-01 08:00:00' + to_milliseconds(i * 36001123) AS ordered_at
  FROM range(1, 41) r(i)`;

const EVENTS_SQL = `
SELECT i AS id, ['click', 'view', 'buy'][i % 3 + 1] AS kind,
       CASE WHEN i % 5 = 0 THEN NULL ELSE i * 1.5 END AS value,
       DATE '2024-05-01' + (i % 10)::INTEGER AS happened
  FROM range(1, 31) r(i)`;

const TICKETS_SQL = `
SELECT i AS id, 'ticket #' || i || ' – ça ne marche pas' AS subject,
       ['low', 'high', NULL][i % 3 + 1] AS priority,
       CASE WHEN i % 4 = 0 THEN [] ELSE ['tag' || i, 'common'] END AS tags,
       {'channel': ['email', 'phone'][i % 2 + 1], 'score': i / 4} AS meta
  FROM range(1, 13) r(i)`;

const WAREHOUSE_SQL = [
  `CREATE TABLE products (id INTEGER, name VARCHAR, category VARCHAR, price DECIMAL(12,2))`,
  `INSERT INTO products VALUES (1, 'Kettle', 'kitchen', 24.99), (2, 'Toaster', 'kitchen', 39.50),
     (3, 'Lamp', 'living', 15.00), (4, 'Sofa', 'living', 899.00), (5, 'Desk', 'office', 249.95),
     (6, 'Chair', 'office', 129.00), (7, 'Mystery box', NULL, NULL)`,
  `CREATE TABLE stores (id INTEGER, city VARCHAR, opened DATE)`,
  `INSERT INTO stores VALUES (1, 'Berlin', DATE '2015-03-01'), (2, 'São Paulo', DATE '2018-09-15'),
     (3, 'Reykjavík', NULL)`,
  `CREATE SCHEMA inventory`,
  `CREATE TABLE inventory.stock_levels (product_id INTEGER, store_id INTEGER, quantity INTEGER, updated_at TIMESTAMPTZ)`,
  `INSERT INTO inventory.stock_levels
     SELECT p, s, (p * 7 + s * 3) % 20, TIMESTAMPTZ '2024-06-01 09:00:00+00' + to_minutes(p * 10 + s)
       FROM range(1, 7) a(p), range(1, 4) b(s) WHERE (p + s) % 4 <> 0`,
  `CREATE TABLE "order lines" ("line id" INTEGER, "Product Name" VARCHAR, "unit price" DECIMAL(8,2), qty INTEGER)`,
  `INSERT INTO "order lines" VALUES (1, 'Kettle', 24.99, 2), (2, 'Lamp', 15.00, 1), (3, 'Desk', 249.95, 3)`,
  `CREATE TABLE all_types AS ${ALL_TYPES_SQL}`,
  // Large values: strings over 100 KB with 2-, 3- and 4-byte UTF-8 sequences, and a large blob.
  `CREATE TABLE big_text AS
     SELECT 1 AS id, repeat('Grüße aus Köln — 東京 🚀 ', 5000) AS body, repeat('\\xAB\\xCD'::BLOB, 70000) AS payload
     UNION ALL SELECT 2, repeat('x', 150000), '\\x00'::BLOB
     UNION ALL SELECT 3, 'short', NULL`,
  `CREATE TABLE big_numbers (id INTEGER, n BIGINT, d DECIMAL(38,0), h HUGEINT)`,
  `INSERT INTO big_numbers VALUES
     (1, 9007199254740991, 9007199254740993, 7),
     (2, 9007199254740993, 99999999999999999999999999999999999999, 1267650600228229401496703205376),
     (3, -9007199254740993, -99999999999999999999999999999999999999, -1),
     (4, 9223372036854775807, 0, NULL),
     (5, -9223372036854775808, NULL, 0)`,
  `CREATE TABLE empty_table (id INTEGER, label VARCHAR, created_at TIMESTAMP, amount DECIMAL(20,4))`,
  // A capitalised name: byte order and locale order disagree on where it sorts.
  `CREATE TABLE "Regions" (code VARCHAR, "Region Name" VARCHAR)`,
  `INSERT INTO "Regions" VALUES ('EU', 'Europe'), ('AM', 'Americas'), ('AS', 'Asia')`,
];

/** Generates the data set in a fresh temporary directory. */
export async function createFixtures(options: FixtureOptions = {}): Promise<Fixtures> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-fixtures-'));
  const lakeDir = join(dir, 'lake');
  mkdirSync(lakeDir);
  const warehouseFile = join(dir, 'warehouse.duckdb');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const copy = (sql: string, file: string, format: string) =>
      connection.run(`COPY (${sql}) TO '${join(lakeDir, file)}' (${format})`);
    await copy(CUSTOMERS_SQL, 'customers.parquet', 'FORMAT parquet');
    await copy(ORDERS_SQL, 'orders.parquet', 'FORMAT parquet');
    await copy(ALL_TYPES_SQL, 'all_types.parquet', 'FORMAT parquet');
    await copy(EVENTS_SQL, 'events.csv', 'FORMAT csv, HEADER');
    await copy(TICKETS_SQL, 'tickets.ndjson', 'FORMAT json');
    if (options.bigRows) {
      await copy(
        `SELECT i AS id, i * 2 AS doubled, 'row-' || i AS label, (i % 1000)::INTEGER AS bucket
           FROM range(${options.bigRows}) r(i)`,
        'big.parquet',
        'FORMAT parquet',
      );
    }
    await connection.run(`ATTACH '${warehouseFile}' AS warehouse`);
    await connection.run('USE warehouse');
    for (const statement of WAREHOUSE_SQL) await connection.run(statement);
    await connection.run('USE memory');
    await connection.run('DETACH warehouse');
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  const lakeTables = [...Object.keys(LAKE_FILES), ...(options.bigRows ? ['big.parquet'] : [])].map(
    (file) => `lake.main.${file.slice(0, file.indexOf('.'))}`,
  );
  const warehouseTables = [
    'warehouse.inventory.stock_levels',
    'warehouse.main.all_types',
    'warehouse.main.big_numbers',
    'warehouse.main.big_text',
    'warehouse.main.empty_table',
    'warehouse.main.order lines',
    'warehouse.main.products',
    'warehouse.main.Regions',
    'warehouse.main.stores',
  ];
  return {
    dir,
    lakeDir,
    warehouseFile,
    sources: [
      { name: 'lake', type: 'files', path: lakeDir },
      { name: 'warehouse', type: 'duckdb', path: warehouseFile },
    ],
    tables: [...lakeTables, ...warehouseTables].sort(),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface ReferenceResult {
  names: string[];
  types: DuckDBType[];
  rows: DuckDBValue[][];
}

/**
 * An in-process DuckDB over the same files, attached the way the edge
 * attaches them: file tables as views in an in-memory catalog named after the
 * source (schema main), the DuckDB file read-only under the source name.
 */
export class Reference {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(fixtures: Fixtures): Promise<Reference> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`ATTACH ':memory:' AS lake`);
    const files = { ...LAKE_FILES, 'big.parquet': 'parquet' as const };
    const readers = { parquet: 'read_parquet', csv: 'read_csv', json: 'read_json_auto' };
    for (const [file, format] of Object.entries(files)) {
      const path = join(fixtures.lakeDir, file);
      if (file === 'big.parquet' && !fixtures.tables.includes('lake.main.big')) continue;
      const name = file.slice(0, file.indexOf('.'));
      await connection.run(`CREATE VIEW lake.main.${name} AS SELECT * FROM ${readers[format]}('${path}')`);
    }
    await connection.run(`ATTACH '${fixtures.warehouseFile}' AS warehouse (READ_ONLY)`);
    return new Reference(instance, connection);
  }

  /** Runs `sql` with parameters bound the way the engine binds them (integers as BIGINT). */
  async query(sql: string, params: readonly Param[] = []): Promise<ReferenceResult> {
    const prepared = await this.connection.prepare(sql);
    try {
      bind(prepared, params);
      const reader = await prepared.runAndReadAll();
      return { names: reader.columnNames(), types: reader.columnTypes(), rows: reader.getRows() };
    } finally {
      prepared.destroySync();
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

function bind(prepared: DuckDBPreparedStatement, params: readonly Param[]): void {
  params.forEach((value, i) => {
    const index = i + 1;
    if (value === null) prepared.bindNull(index);
    else if (typeof value === 'boolean') prepared.bindBoolean(index, value);
    else if (typeof value === 'bigint') prepared.bindBigInt(index, value);
    else if (typeof value === 'number') {
      if (Number.isInteger(value)) prepared.bindBigInt(index, BigInt(value));
      else prepared.bindDouble(index, value);
    } else prepared.bindVarchar(index, value);
  });
}
