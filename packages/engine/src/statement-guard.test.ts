import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SqlValue } from '@tributary/core';
import type { QueryEngine } from './engine.js';
import { firstKeyword } from './statement-guard.js';
import { arrowColumn, collect, failure, openTestEngine } from './testing/fixtures.js';

let engine: QueryEngine;

before(async () => {
  engine = await openTestEngine({}, async (connection) => {
    await connection.run('CREATE TABLE t AS SELECT range AS id, range * 2 AS twice FROM range(10)');
  });
});

after(async () => {
  assert.equal(engine.activeQueries, 0);
  await engine.close();
});

const run = (sql: string, params: SqlValue[] = []) => collect(engine.stream(sql, params));

describe('read-only statements only', () => {
  for (const sql of [
    'SELECT 1; SELECT 2',
    `ATTACH '/tmp/x.duckdb' AS x`,
    'DETACH memory',
    `COPY t TO '/tmp/t.csv'`,
    `COPY (SELECT 1) TO '/tmp/one.csv'`,
    'INSTALL httpfs',
    'LOAD httpfs',
    `SET memory_limit = '10GB'`,
    'SET threads = 1',
    'RESET threads',
    'PRAGMA version',
    '  /* sneaky */ pragma enable_profiling',
    'CREATE TABLE u (a INTEGER)',
    'CREATE VIEW v AS SELECT 1',
    'CREATE MACRO m(x) AS x',
    'INSERT INTO t VALUES (1, 2)',
    'UPDATE t SET twice = 0',
    'DELETE FROM t',
    'DROP TABLE t',
    'ALTER TABLE t ADD COLUMN c INTEGER',
    `EXPORT DATABASE '/tmp/export'`,
    'CALL pragma_version()',
    'CHECKPOINT',
    'EXPLAIN SELECT 1',
    'EXPLAIN ANALYZE SELECT 1',
    'BEGIN TRANSACTION',
    'USE memory',
    'VACUUM',
    'PREPARE p AS SELECT 1',
    'SET VARIABLE x = 1',
  ]) {
    test(`refuses ${sql}`, async () => {
      const error = await failure(run(sql));
      assert.equal(error.code, 'INVALID_ARGUMENT');
    });
  }

  test('the table is untouched after all the refusals', async () => {
    const { table } = await run('SELECT count(*) AS n, sum(twice)::BIGINT AS s FROM t');
    assert.deepEqual(table.toArray()[0]?.toJSON(), { n: 10n, s: 90n });
  });

  for (const sql of [
    'SELECT 1',
    'WITH x AS (SELECT 1 AS a) SELECT * FROM x',
    'FROM t',
    'VALUES (1), (2)',
    'TABLE t',
    '(SELECT 1) UNION ALL (SELECT 2)',
    'DESCRIBE t',
    'SUMMARIZE t',
    'SELECT * FROM duckdb_tables()',
    '-- a comment\nSELECT 1;',
  ]) {
    test(`accepts ${JSON.stringify(sql)}`, async () => {
      const { table } = await run(sql);
      assert.ok(table.numRows > 0);
    });
  }

  test('empty and comment-only queries are refused', async () => {
    for (const sql of ['', '   ', '-- nothing', '/* nothing */', ';']) {
      const error = await failure(run(sql));
      assert.equal(error.code, 'INVALID_ARGUMENT', JSON.stringify(sql));
    }
  });

  test('firstKeyword skips whitespace, comments and parentheses', () => {
    assert.equal(firstKeyword(' -- x\n /* y */ ((pragma x'), 'PRAGMA');
    assert.equal(firstKeyword('select'), 'SELECT');
    assert.equal(firstKeyword('-- only'), null);
    assert.equal(firstKeyword('123'), '');
  });
});

describe('errors', () => {
  test('a syntax error is INVALID_ARGUMENT with DuckDB message and position', async () => {
    const error = await failure(run('SELECT * FRM t'));
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.match(error.message, /syntax error at or near "t"/);
    assert.equal(error.details?.position, 13);
  });

  test('a missing table is NOT_FOUND', async () => {
    const error = await failure(run('SELECT * FROM missing_table'));
    assert.equal(error.code, 'NOT_FOUND');
    assert.match(error.message, /missing_table/);
    assert.equal(error.details?.position, 14);
  });

  test('a missing column is INVALID_ARGUMENT with a position', async () => {
    const error = await failure(run('SELECT nope FROM t'));
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.equal(error.details?.position, 7);
  });

  test('a runtime conversion error is INVALID_ARGUMENT', async () => {
    const error = await failure(run(`SELECT 'abc'::INTEGER`));
    assert.equal(error.code, 'INVALID_ARGUMENT');
  });

  test('a missing file in an allowed place is NOT_FOUND', async () => {
    const error = await failure(run(`SELECT * FROM read_csv('/definitely/not/here.csv')`));
    // Outside the (empty) allowed set, so refused before the file system is asked.
    assert.equal(error.code, 'INVALID_ARGUMENT');
  });
});

describe('parameters', () => {
  test('binds null, boolean, integers, doubles, bigint, huge bigint, string and blob', async () => {
    const params: SqlValue[] = [
      null,
      true,
      42,
      1.5,
      2n ** 62n,
      2n ** 100n,
      'héllo',
      new Uint8Array([0, 255, 7]),
    ];
    const { table } = await run(
      'SELECT $1 AS a, $2 AS b, $3 AS c, $4 AS d, $5 AS e, $6 AS f, $7 AS g, $8 AS h, $3 + 2147483647 AS no_overflow',
      params,
    );
    assert.deepEqual(
      table.schema.fields.map((field) => String(field.type)),
      ['Int32', 'Bool', 'Int64', 'Float64', 'Int64', 'Decimal[38e0]', 'Utf8', 'Binary', 'Int64'],
    );
    const values = table.schema.fields.map((_, column) => arrowColumn(table, column)[0]);
    assert.deepEqual(values, [
      null,
      true,
      42n,
      1.5,
      2n ** 62n,
      2n ** 100n,
      'héllo',
      new Uint8Array([0, 255, 7]),
      2147483689n,
    ]);
  });

  test('parameters filter like literals', async () => {
    const { table } = await run('SELECT id FROM t WHERE id >= $1 AND twice < $2 ORDER BY id', [3, 12]);
    assert.deepEqual(arrowColumn(table, 0), [3n, 4n, 5n]);
  });

  test('a wrong parameter count is INVALID_ARGUMENT', async () => {
    for (const params of [[], [1, 2, 3]] as SqlValue[][]) {
      const error = await failure(run('SELECT $1 + $2', params));
      assert.equal(error.code, 'INVALID_ARGUMENT');
      assert.match(error.message, /takes 2 parameter/);
    }
  });
});
