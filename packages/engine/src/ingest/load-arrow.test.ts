import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { QueryEngine } from '../engine.js';

// Arrow streams produced by one engine, loaded into another: every column
// type the edge sends must arrive with the same values (compared by DuckDB's
// own hash of each column), nulls included, and a load larger than the
// memory limit must spill rather than fail.
const OPTIONS = {
  memoryLimit: '1GB',
  queryTimeoutMs: 60_000,
  maxConcurrentQueries: 2,
  allowedDirectories: [],
};

const ALL_TYPES = `SELECT i::INTEGER AS int32, (i * 3)::BIGINT AS int64, (i % 100)::TINYINT AS int8,
    (i % 30000)::SMALLINT AS int16, i::UINTEGER AS uint32, i % 2 = 0 AS flag, (i / 3.0)::DOUBLE AS float64,
    (i / 7.0)::FLOAT AS float32, (i / 100)::DECIMAL(15, 2) AS dec64, ((i % 1000) / 10)::DECIMAL(4, 1) AS dec16,
    (i % 100000 / 1000)::DECIMAL(9, 3) AS dec32, (i / 7)::DECIMAL(38, 4) AS dec128, 'text ' || i AS text,
    CASE WHEN i % 5 = 0 THEN NULL ELSE 'a longer string value, number ' || i END AS nullable_text,
    DATE '1992-01-01' + (i % 3000)::INTEGER AS day, TIMESTAMP '2020-01-01' + INTERVAL (i) SECOND AS ts,
    TIMESTAMPTZ '2020-01-01 00:00:00+00' + INTERVAL (i) MINUTE AS tstz, TIME '00:00:00' + INTERVAL (i % 86400) SECOND AS t,
    CASE WHEN i % 3 = 0 THEN NULL ELSE i END AS nullable_int, ('\\x00\\x01' || i)::BLOB AS bytes
  FROM range(150000) r(i)`;

async function* ipcOf(engine: QueryEngine, sql: string): AsyncGenerator<Uint8Array> {
  for await (const chunk of engine.stream(sql)) yield chunk.ipc;
}

describe('loading Arrow streams into DuckDB', () => {
  let source: QueryEngine;
  let target: QueryEngine;
  let spill: string;
  before(async () => {
    spill = mkdtempSync(join(tmpdir(), 'tributary-spill-'));
    source = await QueryEngine.open(OPTIONS);
    target = await QueryEngine.open({
      ...OPTIONS,
      memoryLimit: '48MB',
      threads: 2,
      tempDirectory: spill,
      maxTempDirectorySize: '2GB',
    });
  });
  after(async () => {
    await source?.close();
    await target?.close();
    rmSync(spill, { recursive: true, force: true });
  });

  test('every type an edge sends arrives with the same values', async () => {
    const summary = await target.load('all_types', ipcOf(source, ALL_TYPES));
    assert.equal(summary.rowCount, 150_000);
    const digest = (from: string) => `SELECT count(*) AS n, sum(hash(COLUMNS(*))) FROM ${from}`;
    const [expected] = await source.runTrusted(digest(`(${ALL_TYPES})`));
    const [actual] = await target.runTrusted(digest('all_types'));
    assert.deepEqual(actual, expected);
    const types = await target.runTrusted<{ column_name: string; data_type: string }>(
      "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'all_types' ORDER BY column_index",
    );
    const [sourceTypes] = await source.runTrusted<Record<string, string>>(
      `SELECT typeof(COLUMNS(*)) FROM (${ALL_TYPES}) LIMIT 1`,
    );
    assert.deepEqual(
      types.map((t) => t.data_type),
      Object.values(sourceTypes ?? {}),
    );
    await target.dropTable('all_types');
  });

  test('an empty stream makes an empty table with the columns', async () => {
    await target.load('empty', ipcOf(source, 'SELECT 1::INTEGER AS a, 2.5::DOUBLE AS b WHERE false'));
    assert.deepEqual(await target.runTrusted('SELECT count(*)::INTEGER AS n FROM empty'), [{ n: 0 }]);
    await target.dropTable('empty');
  });

  test('types that cannot travel yet are refused by name', async () => {
    await assert.rejects(
      target.load('nested', ipcOf(source, 'SELECT [1, 2] AS xs')),
      (error: Error & { code?: string }) => error.code === 'INVALID_ARGUMENT' && /xs/.test(error.message),
    );
    await target.dropTable('nested');
  });

  test('more data than memory_limit spills to the temp directory', async () => {
    const summary = await target.load(
      'big',
      ipcOf(source, "SELECT i AS k, 'value number ' || i AS s FROM range(2000000) r(i)"),
    );
    assert.equal(summary.rowCount, 2_000_000);
    let rows = 0;
    let spilled = 0;
    for await (const chunk of target.stream('SELECT s, k FROM big ORDER BY s DESC')) {
      rows += chunk.rowCount;
      spilled = Math.max(spilled, readdirSync(spill).length);
    }
    assert.equal(rows, 2_000_000);
    assert.ok(spilled > 0, 'DuckDB wrote temporary files');
    await target.dropTable('big');
  });
});
