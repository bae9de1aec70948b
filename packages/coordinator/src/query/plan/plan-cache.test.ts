import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SqlCodec } from '../../policy/rewrite/sql-codec.js';
import type { ColumnRef } from '../analyze/types.js';
import { PlanCache } from './plan-cache.js';
import { splitQuery } from './split.js';

const T = '(SELECT a, b, c FROM s1.main.t) AS';
const V = '(SELECT d, e FROM s1.main.v) AS';
const U = '(SELECT x, y, z FROM s2.main.u) AS';
const on = (table: string, names: string[]): ColumnRef[] =>
  names.map((column) => ({ table: { source: table === 'u' ? 's2' : 's1', schema: 'main', table }, column }));
const columns = [...on('t', ['a', 'b', 'c']), ...on('v', ['d', 'e']), ...on('u', ['x', 'y', 'z'])];

let codec: SqlCodec;
before(async () => {
  codec = await SqlCodec.open();
});
after(() => codec.close());

const input = (sql: string, params: unknown[] = []) => ({
  sql,
  params: params as never[],
  callerParams: params.length,
  columns,
});

test('a kept plan is the plan a split makes, with the tables each run names', async () => {
  const plans = new PlanCache(codec);
  const query = input(`SELECT t.a, u.y FROM ${T} t JOIN ${U} u ON t.a = u.x WHERE u.z > $1 ORDER BY 1`, [3]);
  for (const run of [1, 2]) {
    const name = (n: number) => `q${run}_f${n}`;
    const kept = await plans.split(query, name);
    const fresh = await splitQuery(codec, { ...query, tableName: name });
    assert.equal(kept.localSql, fresh.localSql);
    assert.match(kept.localSql, new RegExp(`memory\\.main\\.q${run}_f1 AS t`));
    assert.deepEqual(kept.localParams, fresh.localParams);
    assert.deepEqual(
      kept.fragments.map((f) => [f.localTable, f.sql, f.params, f.links]),
      fresh.fragments.map((f) => [f.localTable, f.sql, f.params, f.links]),
    );
  }
});

test('other values are another plan', async () => {
  const plans = new PlanCache(codec);
  const sql = `SELECT t.a FROM ${T} t, ${U} u WHERE t.a = u.x AND u.y = $1`;
  const first = await plans.split(input(sql, [1]), (n) => `f${n}`);
  const second = await plans.split(input(sql, [2]), (n) => `f${n}`);
  assert.deepEqual(first.fragments[1]?.params, [1]);
  assert.deepEqual(second.fragments[1]?.params, [2]);
});

test('a plan that joins tables at their edge keeps its ungrouped form, named for each run', async () => {
  const plans = new PlanCache(codec);
  const query = input(`SELECT t.a, v.e, u.y FROM ${T} t, ${V} v, ${U} u WHERE t.a = v.d AND t.b = u.x`);
  for (const run of [1, 2]) {
    const name = (n: number) => `r${run}_f${n}`;
    const kept = await plans.split(query, name);
    assert.ok(kept.ungrouped, 'the plan has a group');
    assert.equal(kept.fragments[0]?.members?.length, 2);
    const ungrouped = await kept.ungrouped(kept.fragments.filter((fragment) => fragment.members));
    const fresh = await splitQuery(codec, { ...query, tableName: name, groups: false });
    assert.equal(ungrouped.localSql, fresh.localSql);
    assert.deepEqual(
      ungrouped.fragments.map((f) => [f.localTable, f.sql, f.links]),
      fresh.fragments.map((f) => [f.localTable, f.sql, f.links]),
    );
  }
});

test('a query that cannot be split fails each time and is not kept', async () => {
  const plans = new PlanCache(codec);
  for (let i = 0; i < 2; i++) {
    await assert.rejects(
      plans.split(input('SELECT 1'), (n) => `f${n}`),
      /reads no table/,
    );
  }
});
