import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ARROW_EOS } from '@tributary/core';
import { RecordBatchReader } from 'apache-arrow';
import type { QueryEngine } from './engine.js';
import { DEFAULT_BATCH_BYTES } from './stream.js';
import { arrowColumn, assertSameAsDuckDB, collect, openTestEngine } from './testing/fixtures.js';

let engine: QueryEngine;

before(async () => {
  engine = await openTestEngine();
});

after(async () => {
  assert.equal(engine.activeQueries, 0);
  await engine.close();
});

describe('record batches', () => {
  test('200k rows arrive as several batches with every value right, boundaries included', async () => {
    const sql = `SELECT i, i::INTEGER % 1000 AS small, 'name_' || i AS name,
                        CASE WHEN i % 11 = 0 THEN NULL ELSE 'a longer string for row ' || i END AS long
                 FROM range(200000) t(i)`;
    const stream = engine.stream(sql);
    const { table, chunks } = await collect(stream);
    assert.equal(chunks[0]?.rowCount, 0, 'the schema comes first');
    assert.ok(chunks.length > 3, `expected several batches, got ${chunks.length - 1}`);
    assert.equal(table.numRows, 200_000);
    assert.deepEqual(stream.summary, {
      rowCount: 200_000,
      bytes: chunks.reduce((sum, chunk) => sum + chunk.ipc.byteLength, 0),
      batchCount: chunks.length - 1,
      truncated: false,
    });
    const ids = arrowColumn(table, 0);
    ids.forEach((id, row) => {
      if (id !== BigInt(row)) assert.fail(`row ${row} holds id ${id}`);
    });
    const long = arrowColumn(table, 3);
    let row = 0;
    for (const batch of table.batches) {
      for (const at of [row, row + batch.numRows - 1]) {
        assert.equal(
          long[at],
          at % 11 === 0 ? null : `a longer string for row ${at}`,
          `batch edge row ${at}`,
        );
      }
      row += batch.numRows;
    }
    await assertSameAsDuckDB(engine, sql, [], assert.deepStrictEqual);
  });

  test('batchRows cuts exact batches', async () => {
    const { table, chunks } = await collect(
      engine.stream('SELECT i FROM range(10000) t(i)', [], { batchRows: 1000 }),
    );
    assert.deepEqual(
      chunks.slice(1).map((chunk) => chunk.rowCount),
      Array.from({ length: 10 }, () => 1000),
    );
    assert.equal(table.numRows, 10_000);
  });

  test('batchBytes keeps wide batches near the byte budget', async () => {
    const budget = DEFAULT_BATCH_BYTES;
    const { table, chunks } = await collect(
      engine.stream(`SELECT repeat('x', 10000) || i AS wide FROM range(2000) t(i)`, [], {
        batchBytes: budget,
      }),
    );
    assert.equal(table.numRows, 2000);
    for (const chunk of chunks.slice(1)) {
      assert.ok(chunk.ipc.byteLength < budget * 1.1, `batch of ${chunk.ipc.byteLength} bytes`);
    }
  });

  test('chunks of odd sizes (filters) keep NULLs and values in place', async () => {
    await assertSameAsDuckDB(
      engine,
      `SELECT CASE WHEN i % 5 = 0 THEN NULL ELSE i END AS v, i % 2 = 0 AS b,
              CASE WHEN i % 4 = 1 THEN NULL ELSE 'value number ' || i END AS s
       FROM range(100000) t(i) WHERE i % 3 <> 0 AND i % 7 <> 2`,
      [],
      assert.deepStrictEqual,
    );
  });

  test('long and multi-byte strings across runs, NULLs and inline strings mixed', async () => {
    await assertSameAsDuckDB(
      engine,
      `SELECT CASE i % 6 WHEN 0 THEN NULL WHEN 1 THEN 'short' || (i % 10)
                         WHEN 2 THEN repeat('日本', (i % 50)::INTEGER) ELSE 'ünïcödé text number ' || i END AS s,
              repeat('é', (i % 300)::INTEGER) AS t
       FROM range(30000) t(i)`,
      [],
      assert.deepStrictEqual,
    );
  });

  test('constant columns (DuckDB constant vectors) arrive flattened', async () => {
    await assertSameAsDuckDB(
      engine,
      `SELECT i, 'a constant long string value' AS c, 42 AS n, NULL::VARCHAR AS z, [1, 2] AS l,
              {'k': 'v'} AS s FROM range(10000) t(i)`,
      [],
      assert.deepStrictEqual,
    );
  });

  test('the concatenated messages read incrementally with RecordBatchReader', async () => {
    async function* bytes() {
      for await (const chunk of engine.stream('SELECT i FROM range(100000) t(i)', [], { batchRows: 30000 })) {
        yield chunk.ipc;
      }
      yield ARROW_EOS;
    }
    const reader = await RecordBatchReader.from(bytes());
    let rows = 0;
    for await (const batch of reader) rows += batch.numRows;
    assert.equal(rows, 100_000);
  });
});

describe('maxRows', () => {
  test('stops after exactly maxRows, slicing a batch, and reports truncation', async () => {
    for (const maxRows of [1, 100, 2048, 2049, 70000]) {
      const stream = engine.stream('SELECT i FROM range(200000) t(i)', [], { maxRows });
      const { table } = await collect(stream);
      assert.equal(table.numRows, maxRows);
      assert.equal(stream.summary.rowCount, maxRows);
      assert.equal(stream.summary.truncated, true, `maxRows ${maxRows}`);
      assert.equal(arrowColumn(table, 0).at(-1), BigInt(maxRows - 1));
    }
  });

  test('a result that fits is not truncated, even when it ends exactly at the limit', async () => {
    for (const maxRows of [4096, 5000]) {
      const stream = engine.stream('SELECT i FROM range(4096) t(i)', [], { maxRows });
      const { table } = await collect(stream);
      assert.equal(table.numRows, 4096);
      assert.equal(stream.summary.truncated, false);
    }
  });
});

describe('failures while rows stream', () => {
  test('an overflow half-way through fails the stream instead of ending it short', async () => {
    const sql = `SELECT CASE WHEN range < 500000 THEN range::INTEGER ELSE (range * 1000000)::INTEGER END AS v
                 FROM range(1000000)`;
    let rows = 0;
    await assert.rejects(
      async () => {
        for await (const chunk of engine.stream(sql)) rows += chunk.rowCount;
      },
      (error: Error & { code?: string }) =>
        error.code === 'INVALID_ARGUMENT' && /failed while producing its rows/.test(error.message),
    );
    assert.ok(rows < 1_000_000, `only part of the rows came before the failure (${rows})`);
  });

  test('a result that really ends is not mistaken for a failure, empty ones included', async () => {
    for (const [sql, expected] of [
      ['SELECT range AS v FROM range(300000)', 300_000],
      ['SELECT range AS v FROM range(10) WHERE range > 100', 0],
    ] as const) {
      const { table } = await collect(engine.stream(sql));
      assert.equal(table.numRows, expected);
    }
  });
});

describe('whole results', () => {
  const SELECTIVE = `SELECT i, 'row ' || i AS s, CASE WHEN i % 7 = 0 THEN NULL ELSE i / 3 END AS d
                     FROM range(300000) t(i) WHERE i % 97 = 3`;

  test('hold the same rows, types and values as the streamed result', async () => {
    const streamed = await collect(engine.stream(SELECTIVE));
    const whole = engine.stream(SELECTIVE, [], { whole: true });
    const computed = await collect(whole);
    assert.equal(computed.table.numRows, streamed.table.numRows);
    assert.equal(String(computed.table.schema), String(streamed.table.schema));
    assert.deepEqual(computed.table.toArray().map(String), streamed.table.toArray().map(String));
    assert.deepEqual(whole.summary, {
      rowCount: streamed.table.numRows,
      bytes: computed.chunks.reduce((sum, chunk) => sum + chunk.ipc.byteLength, 0),
      batchCount: computed.chunks.length - 1,
      truncated: false,
    });
    await assertSameAsDuckDB(engine, SELECTIVE, [], assert.deepStrictEqual);
  });

  test('still stop at maxRows and say so', async () => {
    const stream = engine.stream('SELECT i FROM range(200000) t(i)', [], { whole: true, maxRows: 70000 });
    const { table } = await collect(stream);
    assert.equal(table.numRows, 70000);
    assert.equal(stream.summary.truncated, true);
    assert.equal(arrowColumn(table, 0).at(-1), 69999n);
  });

  test('an empty result still brings its schema', async () => {
    const { table, chunks } = await collect(
      engine.stream('SELECT i, i::VARCHAR AS s FROM range(10) t(i) WHERE i > 100', [], { whole: true }),
    );
    assert.equal(chunks.length, 1);
    assert.equal(table.numRows, 0);
    assert.deepEqual(
      table.schema.fields.map((field) => field.name),
      ['i', 's'],
    );
  });

  test('a failure while computing fails the query with its reason, and nothing is sent', async () => {
    const sql = `SELECT CASE WHEN range < 500000 THEN range::INTEGER ELSE (range * 1000000)::INTEGER END AS v
                 FROM range(1000000)`;
    let chunks = 0;
    await assert.rejects(
      async () => {
        for await (const _ of engine.stream(sql, [], { whole: true })) chunks++;
      },
      (error: Error & { code?: string }) =>
        error.code === 'INVALID_ARGUMENT' && /out of range/i.test(error.message),
    );
    assert.equal(chunks, 0);
  });
});
