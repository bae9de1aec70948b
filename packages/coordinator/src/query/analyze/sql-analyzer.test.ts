import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TributaryError } from '@tributary/core';
import { CASES, CATALOG, CATALOG_VERSION } from './cases.js';
import { type AnalyzedQuery, type CatalogTable, SqlAnalyzer } from './index.js';

const tableName = (t: { source: string; schema: string; table: string }): string =>
  `${t.source}.${t.schema}.${t.table}`;

function summary(result: AnalyzedQuery) {
  return {
    tables: result.tables.map(tableName),
    columns: result.columns.map((c) => `${tableName(c.table)}.${c.column}`),
    outputs: result.outputColumns.map((c) => `${c.name}: ${c.sqlType}`),
  };
}

async function analysisError(promise: Promise<unknown>): Promise<TributaryError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TributaryError, `expected a TributaryError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the analysis to fail');
}

describe('SqlAnalyzer cases', () => {
  let analyzer: SqlAnalyzer;
  before(async () => {
    analyzer = await SqlAnalyzer.create();
    await analyzer.setCatalog(CATALOG_VERSION, CATALOG);
    assert.deepEqual(analyzer.catalogWarnings, []);
  });
  after(() => analyzer.close());

  test('there are at least 60 cases, with distinct names', () => {
    assert.ok(CASES.length >= 60, `only ${CASES.length} cases`);
    assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length);
  });

  for (const c of CASES) {
    test(c.name, async () => {
      const run = analyzer.analyze(c.sql, c.params);
      if (c.error) {
        const error = await analysisError(run);
        assert.equal(error.code, c.error.code, `${error.code}: ${error.message}`);
        if (c.error.message) assert.ok(error.message.includes(c.error.message), `message: ${error.message}`);
        if (c.error.position !== undefined) assert.equal(error.details?.position, c.error.position);
        for (const [key, value] of Object.entries(c.error.details ?? {})) {
          assert.deepEqual(error.details?.[key], value, `details.${key}`);
        }
        // Refusals never echo catalog suggestions.
        assert.doesNotMatch(error.message, /Did you mean|Candidate/);
        return;
      }
      const result = await run;
      assert.equal(result.statementType, 'SELECT');
      assert.equal(result.catalogVersion, CATALOG_VERSION);
      const actual = summary(result);
      if (c.tables) assert.deepEqual(actual.tables, c.tables, 'tables');
      if (c.columns) assert.deepEqual(actual.columns, c.columns, 'columns');
      if (c.outputs) assert.deepEqual(actual.outputs, c.outputs, 'outputs');
      assert.equal(result.parameterCount, c.parameterCount ?? 0, 'parameterCount');
    });
  }
});

describe('SqlAnalyzer behaviour', () => {
  test('results are frozen, cached per SQL text and parameter types', async () => {
    const analyzer = await SqlAnalyzer.create();
    try {
      await analyzer.setCatalog(1, CATALOG);
      const sql = 'SELECT name FROM sales.crm.customers WHERE id = $1';
      const first = await analyzer.analyze(sql, [1n]);
      assert.ok(
        Object.isFrozen(first) && Object.isFrozen(first.columns) && Object.isFrozen(first.columns[0]),
      );
      assert.equal(await analyzer.analyze(sql, [2n]), first);
      assert.notEqual(await analyzer.analyze(sql, ['1']), first);
      await analysisError(analyzer.analyze(sql, []));
    } finally {
      await analyzer.close();
    }
  });

  test('many concurrent analyses on a small pool all get their own answer', async () => {
    const analyzer = await SqlAnalyzer.create({ connections: 2, cacheSize: 0 });
    try {
      await analyzer.setCatalog(1, CATALOG);
      const columns = ['id', 'name', 'email', 'region'];
      const runs = Array.from({ length: 200 }, (_, i) => {
        const column = columns[i % columns.length]!;
        return analyzer
          .analyze(`SELECT ${column} FROM sales.crm.customers WHERE id > $1`, [BigInt(i)])
          .then((result) => ({ column, result }));
      });
      for (const { column, result } of await Promise.all(runs)) {
        const expected = [...new Set(['id', column])].sort().map((c) => `sales.crm.customers.${c}`);
        assert.deepEqual(summary(result).columns, expected);
      }
    } finally {
      await analyzer.close();
    }
  });

  test('a new catalog version replaces the shadow tables; older versions are ignored', async () => {
    const analyzer = await SqlAnalyzer.create();
    try {
      assert.equal(analyzer.catalogVersion, undefined);
      await analysisError(analyzer.analyze('SELECT * FROM sales.orders'));
      await analyzer.setCatalog(1, CATALOG);
      const inFlight = analyzer.analyze('SELECT amount FROM sales.orders');
      const withoutOrders = CATALOG.filter((t) => t.table !== 'orders');
      const update = analyzer.setCatalog(2, withoutOrders);
      assert.deepEqual(summary(await inFlight).columns, ['sales.main.orders.amount']);
      await update;
      assert.equal(analyzer.catalogVersion, 2);
      const gone = await analysisError(analyzer.analyze('SELECT amount FROM sales.orders'));
      assert.equal(gone.code, 'NOT_FOUND');
      await analyzer.setCatalog(1, CATALOG); // stale: ignored
      await analyzer.setCatalog(2, CATALOG); // same version: ignored
      assert.equal(analyzer.catalogVersion, 2);
      assert.equal(
        (await analysisError(analyzer.analyze('SELECT amount FROM sales.orders'))).code,
        'NOT_FOUND',
      );
    } finally {
      await analyzer.close();
    }
  });

  test('catalog entries that cannot be mirrored faithfully are left out, with a warning', async () => {
    const analyzer = await SqlAnalyzer.create();
    try {
      const catalog: CatalogTable[] = [
        { source: 'memory', schema: 'main', table: 't', columns: [{ name: 'a', sqlType: 'INTEGER' }] },
        { source: 'system', schema: 'main', table: 't', columns: [{ name: 'a', sqlType: 'INTEGER' }] },
        { source: 'Dup', schema: 'main', table: 't', columns: [{ name: 'a', sqlType: 'INTEGER' }] },
        { source: 'dup', schema: 'main', table: 'u', columns: [{ name: 'a', sqlType: 'INTEGER' }] },
        {
          source: 'ok',
          schema: 'main',
          table: 'cased',
          columns: [
            { name: 'A', sqlType: 'INTEGER' },
            { name: 'a', sqlType: 'INTEGER' },
          ],
        },
        { source: 'ok', schema: 'main', table: 'empty', columns: [] },
        {
          source: 'ok',
          schema: 'main',
          table: 'typed',
          columns: [
            { name: 'weird', sqlType: 'no_such_type' },
            // An attempt to smuggle a column in through a type.
            { name: 'sneaky', sqlType: 'INTEGER, extra INTEGER' },
            { name: 'fine', sqlType: 'decimal(10, 2)' },
          ],
        },
      ];
      await analyzer.setCatalog(1, catalog);
      const warnings = analyzer.catalogWarnings.join('\n');
      for (const fragment of [
        'memory.main.t: source name "memory" is reserved',
        'system.main.t: source name "system" is reserved',
        'Dup.main.t: name is ambiguous',
        'dup.main.u: name is ambiguous',
        'ok.main.cased: column names differ only in case',
        'ok.main.empty: no columns',
        'ok.main.typed.weird: type "no_such_type" is not a DuckDB type',
        'ok.main.typed.sneaky: type "INTEGER, extra INTEGER" is not a DuckDB type',
      ]) {
        assert.ok(warnings.includes(fragment), `missing warning: ${fragment}\n${warnings}`);
      }
      const typed = await analyzer.analyze('SELECT * FROM ok.typed');
      assert.deepEqual(summary(typed).outputs, ['weird: VARCHAR', 'sneaky: VARCHAR', 'fine: DECIMAL(10,2)']);
      for (const sql of ['SELECT * FROM dup.t', 'SELECT * FROM Dup.u', 'SELECT * FROM ok.cased']) {
        assert.equal((await analysisError(analyzer.analyze(sql))).code, 'NOT_FOUND', sql);
      }
    } finally {
      await analyzer.close();
    }
  });

  test('input the engine would read differently is refused', async () => {
    const analyzer = await SqlAnalyzer.create({ maxSqlLength: 100 });
    try {
      await analyzer.setCatalog(1, CATALOG);
      const nul = await analysisError(analyzer.analyze('SELECT 1\u0000; DROP TABLE sales.orders'));
      assert.match(nul.message, /NUL/);
      const long = await analysisError(analyzer.analyze(`SELECT ${'1 + '.repeat(50)}1`));
      assert.match(long.message, /longer than 100/);
      const bad = await analysisError(analyzer.analyze('SELECT $1', [{} as unknown as string]));
      assert.match(bad.message, /\$1 is not a scalar/);
    } finally {
      await analyzer.close();
    }
  });

  test('a closed analyzer answers UNAVAILABLE', async () => {
    const analyzer = await SqlAnalyzer.create();
    await analyzer.close();
    assert.equal((await analysisError(analyzer.analyze('SELECT 1'))).code, 'UNAVAILABLE');
    await assert.rejects(
      analyzer.setCatalog(1, CATALOG),
      (error: TributaryError) => error.code === 'UNAVAILABLE',
    );
  });
});
