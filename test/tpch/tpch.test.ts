import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { TributaryClient } from '@tributary/client';
import { quoteLiteral } from '@tributary/core';
import {
  type Canon,
  type CanonResult,
  canonFromArrow,
  canonFromReference,
  canonKey,
} from '../support/canonical.js';
import { Cluster } from '../support/cluster.js';
import { DIMENSION_TABLES, FACT_TABLES, generateTpch, type TpchTable } from '../support/tpch/generate.js';
import { tpchQueries } from '../support/tpch/queries.js';

// TPC-H at scale factor 0.1 split across two edges: `facts` (lineitem,
// orders, partsupp) on one, `dims` (customer, supplier, part, nation,
// region) on the other. Every one of the 22 queries goes through the
// coordinator — most are split between the edges — and must give DuckDB's
// own answer over the whole data set: same columns, same types, same rows
// (in order where the query orders them), floating-point values to 1e-9.
const SCALE = 0.1;
const FACTS: ReadonlySet<string> = new Set(FACT_TABLES);
const qualified = (table: TpchTable) => `${FACTS.has(table) ? 'facts' : 'dims'}.main.${table}`;

describe('TPC-H across two edges', () => {
  let dir: string;
  let cluster: Cluster;
  let client: TributaryClient;
  let instance: DuckDBInstance;
  let reference: DuckDBConnection;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-tpch-'));
    const data = await generateTpch(dir, SCALE);
    cluster = await Cluster.start({
      edges: [
        { name: 'edge-facts', sources: [{ name: 'facts', type: 'files', path: data.factsDir }] },
        { name: 'edge-dims', sources: [{ name: 'dims', type: 'files', path: data.dimsDir }] },
      ],
    });
    client = cluster.client();
    instance = await DuckDBInstance.create(':memory:');
    reference = await instance.connect();
    for (const source of ['facts', 'dims']) await reference.run(`ATTACH ':memory:' AS ${source}`);
    for (const table of [...FACT_TABLES, ...DIMENSION_TABLES]) {
      await reference.run(
        `CREATE VIEW ${qualified(table)} AS SELECT * FROM read_parquet(${quoteLiteral(data.files[table])})`,
      );
    }
  });

  after(async () => {
    await cluster?.stop();
    reference?.closeSync();
    instance?.closeSync();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const query of tpchQueries(qualified)) {
    test(`Q${query.id}`, async () => {
      const reader = await reference.runAndReadAll(query.sql);
      const expected = canonFromReference({
        names: reader.columnNames(),
        types: reader.columnTypes(),
        rows: reader.getRows(),
      });
      assert.ok(expected.rows.length > 0, 'the data set gives this query rows');
      const actual = canonFromArrow(await client.query(query.sql).toTable());
      assert.deepEqual(actual.names, expected.names, 'column names');
      assert.deepEqual(actual.types, expected.types, 'Arrow types');
      assertSameRows(actual, expected, /\border\s+by\b[^)]*$/i.test(query.sql));
    });
  }

  test('queries reading both edges are split', async () => {
    const modes = await Promise.all(
      tpchQueries(qualified).map(async (q) => (await client.validate(q.sql)).plan?.mode),
    );
    // All but Q1, Q4, Q6 and Q12, which read only lineitem and orders.
    assert.deepEqual(
      modes.flatMap((mode, i) => (mode === 'edge' ? [i + 1] : [])),
      [1, 4, 6, 12],
    );
  });
});

function assertSameRows(actual: CanonResult, expected: CanonResult, ordered: boolean): void {
  assert.equal(actual.rows.length, expected.rows.length, 'row count');
  const a = ordered ? actual.rows : sortedRows(actual.rows);
  const e = ordered ? expected.rows : sortedRows(expected.rows);
  for (let r = 0; r < e.length; r++) {
    const row = a[r] as Canon[];
    const want = e[r] as Canon[];
    for (let c = 0; c < want.length; c++) {
      const x = row[c];
      const y = want[c];
      if (typeof x === 'number' && typeof y === 'number') {
        assert.ok(
          Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y)),
          `row ${r}, ${expected.names[c]}: ${x} ≠ ${y}`,
        );
      } else {
        assert.deepEqual(x, y, `row ${r}, ${expected.names[c]}`);
      }
    }
  }
}

/** Rows in a stable order that floating-point noise cannot change: by their non-float values, rounded floats after. */
function sortedRows(rows: Canon[][]): Canon[][] {
  const key = (row: Canon[]) =>
    canonKey(row.map((v) => (typeof v === 'number' ? Number(v.toPrecision(8)) : v)));
  return [...rows].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
}
