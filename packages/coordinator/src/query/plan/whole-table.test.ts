import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SqlCodec } from '../../policy/rewrite/sql-codec.js';
import type { ColumnRef } from '../analyze/types.js';
import { splitQuery } from './split.js';
import { readsWholeTable } from './whole-table.js';

const T = '(SELECT a, b, c FROM s1.main.t) AS';
const U = '(SELECT x, y, z FROM s2.main.u) AS';
const columns: ColumnRef[] = [
  ...['a', 'b', 'c'].map((column) => ({ table: { source: 's1', schema: 'main', table: 't' }, column })),
  ...['x', 'y', 'z'].map((column) => ({ table: { source: 's2', schema: 'main', table: 'u' }, column })),
];

let codec: SqlCodec;
before(async () => {
  codec = await SqlCodec.open();
});
after(() => codec.close());

/** Whether each fragment of the split (in order) reads its whole table. */
async function whole(sql: string): Promise<boolean[]> {
  const plan = await splitQuery(codec, { sql, params: [], callerParams: 0, columns });
  return plan.fragments.map(readsWholeTable);
}

test('a table read with no condition anywhere reads its whole table', async () => {
  assert.deepEqual(await whole(`SELECT t.a, u.y FROM ${T} t, ${U} u WHERE t.a = u.x`), [true, true]);
});

test("a condition of the query or of a policy's row filter means fewer rows", async () => {
  assert.deepEqual(await whole(`SELECT t.a FROM ${T} t, ${U} u WHERE t.a = u.x AND u.y > 3`), [true, false]);
  assert.deepEqual(
    await whole(`SELECT t.a FROM (SELECT a, b, c FROM s1.main.t WHERE b = 2) AS t, ${U} u WHERE t.a = u.x`),
    [false, true],
  );
});

test('computed columns, samples and aggregating subqueries are not the whole table', async () => {
  assert.deepEqual(await whole(`SELECT t.a + 1, u.y FROM ${T} t, ${U} u WHERE t.a = u.x`), [false, true]);
  assert.deepEqual(
    await whole(
      `SELECT t.a FROM ${T} t, (SELECT x, y, z FROM s2.main.u USING SAMPLE 10%) AS u WHERE t.a = u.x`,
    ),
    [true, false],
  );
  assert.deepEqual(
    await whole(
      `WITH m AS (SELECT u.x, max(u.y) AS top FROM ${U} u GROUP BY u.x) SELECT t.a FROM ${T} t, m WHERE t.a = m.x`,
    ),
    [false, true],
  );
});

test('distinct rows of a table still hold all of its keys', async () => {
  assert.deepEqual(
    await whole(`SELECT t.a FROM ${T} t WHERE EXISTS (SELECT 1 FROM ${U} u WHERE u.x = t.a)`),
    [true, true],
  );
});
