import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SqlValue } from '@tributary/core';
import { SqlCodec } from '../../policy/rewrite/sql-codec.js';
import type { ColumnRef } from '../analyze/types.js';
import { type Fragment, splitQuery, withKeyFilters } from './split.js';

// Governed queries, as the rewrite leaves them (every table a projection),
// and what the split makes of them: which columns and filters each
// fragment gets, and what the coordinator runs.
const T = '(SELECT a, b, c FROM s1.main.t) AS';
const U = '(SELECT x, y, z FROM s2.main.u) AS';
const all: ColumnRef[] = [
  ...['a', 'b', 'c'].map((column) => ({ table: { source: 's1', schema: 'main', table: 't' }, column })),
  ...['x', 'y', 'z'].map((column) => ({ table: { source: 's2', schema: 'main', table: 'u' }, column })),
];

interface Case {
  name: string;
  sql: string;
  params?: SqlValue[];
  callerParams?: number;
  fragments: { sql: string; params?: SqlValue[] }[];
  local?: RegExp;
  /** The coordinator query's values; none by default. */
  localParams?: SqlValue[];
}

const CASES: Case[] = [
  {
    name: 'single-table conjuncts go down; only the columns read travel',
    sql: `SELECT t.a, u.y FROM ${T} t JOIN ${U} u ON t.a = u.x WHERE t.b = 1 AND u.y > 2 AND t.c = u.z`,
    fragments: [
      {
        sql: 'SELECT t.a AS a, t.c AS c FROM (SELECT a, b, c FROM s1.main.t) AS t WHERE (t.b = 1)',
      },
      {
        sql: 'SELECT u.x AS x, u.y AS y, u.z AS z FROM (SELECT x, y, z FROM s2.main.u) AS u WHERE (u.y > 2)',
      },
    ],
    local: /FROM memory\.main\.f1 AS t INNER JOIN memory\.main\.f2 AS u ON \(\(t\.a = u\.x\)\)/,
  },
  {
    name: 'unused columns are not shipped',
    sql: `SELECT t.a FROM ${T} t, ${U} u WHERE t.a = u.x`,
    fragments: [
      { sql: 'SELECT t.a AS a FROM (SELECT a, b, c FROM s1.main.t) AS t' },
      { sql: 'SELECT u.x AS x FROM (SELECT x, y, z FROM s2.main.u) AS u' },
    ],
  },
  {
    name: 'nothing is pushed into the inner side of an outer join',
    sql: `SELECT t.a, u.y FROM ${T} t LEFT JOIN ${U} u ON t.a = u.x WHERE u.y IS NULL AND t.b = 3`,
    fragments: [
      { sql: 'SELECT t.a AS a FROM (SELECT a, b, c FROM s1.main.t) AS t WHERE (t.b = 3)' },
      { sql: 'SELECT u.x AS x, u.y AS y FROM (SELECT x, y, z FROM s2.main.u) AS u' },
    ],
  },
  {
    name: 'a disjunction across tables implies one per table',
    sql: `SELECT t.a FROM ${T} t, ${U} u WHERE t.a = u.x AND ((t.b = 1 AND u.y = 2) OR (t.b = 5 AND u.z = 6))`,
    fragments: [
      {
        sql: 'SELECT t.a AS a, t.b AS b FROM (SELECT a, b, c FROM s1.main.t) AS t WHERE ((t.b = 1) OR (t.b = 5))',
      },
      {
        sql: 'SELECT u.x AS x, u.y AS y, u.z AS z FROM (SELECT x, y, z FROM s2.main.u) AS u WHERE ((u.y = 2) OR (u.z = 6))',
      },
    ],
  },
  {
    name: 'correlated columns, subqueries and volatile functions stay at the coordinator',
    sql: `SELECT t.a FROM ${T} t WHERE EXISTS (SELECT 1 FROM ${U} u WHERE u.x = t.a AND u.y > 1)
            AND random() < t.b AND t.c IN (SELECT z FROM ${U} v)`,
    fragments: [
      { sql: 'SELECT t.a AS a, t.b AS b, t.c AS c FROM (SELECT a, b, c FROM s1.main.t) AS t' },
      {
        sql: 'SELECT DISTINCT u.x AS x, u.z AS z FROM (SELECT x, y, z FROM s2.main.u) AS u WHERE (u.y > 1)',
      },
      { sql: 'SELECT DISTINCT u.x AS x, u.z AS z FROM (SELECT x, y, z FROM s2.main.u) AS u' },
    ],
  },
  {
    name: 'two references needing the same rows share one fragment; EXISTS (SELECT *) reads no column',
    sql: `SELECT t.a FROM ${T} t WHERE EXISTS (SELECT * FROM ${U} u1 WHERE u1.x = t.a AND u1.y = 1)
            AND NOT EXISTS (SELECT * FROM ${U} u2 WHERE u2.x = t.b AND u2.y = 1)`,
    fragments: [
      { sql: 'SELECT t.a AS a, t.b AS b FROM (SELECT a, b, c FROM s1.main.t) AS t' },
      // Read only by EXISTS: duplicates cannot matter, distinct rows travel.
      { sql: 'SELECT DISTINCT u.x AS x FROM (SELECT x, y, z FROM s2.main.u) AS u WHERE (u.y = 1)' },
    ],
    local: /memory\.main\.f2 AS u1.*memory\.main\.f2 AS u2/,
  },
  {
    name: 'a star ships every column of the tables it expands',
    sql: `SELECT * FROM ${T} t JOIN ${U} u ON t.a = u.x`,
    fragments: [
      { sql: 'SELECT t.a AS a, t.b AS b, t.c AS c FROM (SELECT a, b, c FROM s1.main.t) AS t' },
      { sql: 'SELECT u.x AS x, u.y AS y, u.z AS z FROM (SELECT x, y, z FROM s2.main.u) AS u' },
    ],
  },
  {
    name: 'placeholders are renumbered per fragment; policy values stay in fragments',
    sql: `SELECT t.a FROM (SELECT a, b, c FROM s1.main.t WHERE c = $3) AS t, ${U} u
           WHERE t.a = u.x AND u.y = $2 AND t.b = $1`,
    params: ['one', 'two', 'policy'],
    callerParams: 2,
    fragments: [
      {
        sql: 'SELECT t.a AS a FROM (SELECT a, b, c FROM s1.main.t WHERE (c = $1)) AS t WHERE (t.b = $2)',
        params: ['policy', 'one'],
      },
      {
        sql: 'SELECT u.x AS x FROM (SELECT x, y, z FROM s2.main.u) AS u WHERE (u.y = $1)',
        params: ['two'],
      },
    ],
    // Moved into fragments with their conjuncts, the caller's values leave the coordinator's query.
    local: /WHERE \(t\.a = u\.x\)$/,
  },
  {
    name: "a caller's placeholder left at the coordinator is numbered from 1 there",
    sql: `SELECT t.a FROM ${T} t, ${U} u WHERE t.a = u.x AND t.b = $1 AND t.c + u.z > $2`,
    params: ['one', 'two'],
    fragments: [
      {
        sql: 'SELECT t.a AS a, t.c AS c FROM (SELECT a, b, c FROM s1.main.t) AS t WHERE (t.b = $1)',
        params: ['one'],
      },
      { sql: 'SELECT u.x AS x, u.z AS z FROM (SELECT x, y, z FROM s2.main.u) AS u' },
    ],
    local: /WHERE \(\(t\.a = u\.x\) AND \(\(t\.c \+ u\.z\) > \$1\)\)$/,
    localParams: ['two'],
  },
];

describe('splitting a query across edges', () => {
  let codec: SqlCodec;
  before(async () => {
    codec = await SqlCodec.open();
  });
  after(() => codec.close());

  for (const c of CASES) {
    test(c.name, async () => {
      const params = c.params ?? [];
      const plan = await splitQuery(codec, {
        sql: c.sql,
        params,
        callerParams: c.callerParams ?? params.length,
        columns: all,
      });
      assert.deepEqual(
        plan.fragments.map((f) => ({ sql: f.sql, params: f.params })),
        c.fragments.map((f) => ({ sql: f.sql, params: f.params ?? [] })),
      );
      assert.deepEqual(plan.localParams, c.localParams ?? []);
      if (c.local) assert.match(plan.localSql, c.local);
      assert.doesNotMatch(plan.localSql, /s1\.main|s2\.main/);
    });
  }

  test('a catalog table left outside a projection is refused (fail closed)', async () => {
    await assert.rejects(
      splitQuery(codec, {
        sql: `SELECT * FROM s1.main.t, ${U} u`,
        params: [],
        callerParams: 0,
        columns: all,
      }),
      (error: Error & { code?: string }) => error.code === 'INTERNAL',
    );
  });

  test('local tables get the names the caller chooses', async () => {
    const plan = await splitQuery(codec, {
      sql: `SELECT t.a FROM ${T} t, ${U} u WHERE t.a = u.x`,
      params: [],
      callerParams: 0,
      columns: all,
      tableName: (n) => `q7_f${n}`,
    });
    assert.deepEqual(
      plan.fragments.map((f) => f.localTable),
      ['q7_f1', 'q7_f2'],
    );
    assert.match(plan.localSql, /memory\.main\.q7_f1 AS t/);
  });

  test('inner equi-joins link fragments; key filters travel as one bound parameter', async () => {
    const plan = await splitQuery(codec, {
      sql: `SELECT t.a FROM ${T} t JOIN ${U} u ON t.a = u.x WHERE t.c = 'k'`,
      params: [],
      callerParams: 0,
      columns: all,
    });
    const [t, u] = plan.fragments;
    assert.deepEqual(t?.links, [{ qualifier: 't', column: 'a', other: 'f2', otherColumn: 'x' }]);
    assert.deepEqual(u?.links, [{ qualifier: 'u', column: 'x', other: 'f1', otherColumn: 'a' }]);
    // An outer join's condition links nothing: its preserved side keeps unmatched rows.
    const outer = await splitQuery(codec, {
      sql: `SELECT t.a FROM ${T} t LEFT JOIN ${U} u ON t.a = u.x`,
      params: [],
      callerParams: 0,
      columns: all,
    });
    assert.deepEqual(
      outer.fragments.map((f) => f.links),
      [[], []],
    );
    const filtered = await withKeyFilters(codec, u!, [{ qualifier: 'u', column: 'x', keysJson: '[1,2,3]' }]);
    assert.equal(
      filtered.sql,
      'SELECT u.x AS x FROM (SELECT * FROM (SELECT x, y, z FROM s2.main.u) AS u WHERE (TRY_CAST(u.x AS BIGINT) = ANY(SELECT unnest(CAST(CAST($1 AS "JSON") AS BIGINT[]))))) AS u',
    );
    assert.deepEqual(filtered.params, ['[1,2,3]']);
  });

  test('a correlated subquery ships only the outer keys; EXISTS and IN reduce the outer table', async () => {
    const plan = await splitQuery(codec, {
      sql: `SELECT t.a FROM ${T} t WHERE EXISTS (SELECT 1 FROM ${U} u WHERE u.x = t.a) AND t.b IN (SELECT v.y FROM ${U} v WHERE v.z > 0)`,
      params: [],
      callerParams: 0,
      columns: all,
    });
    const [t, u, v] = plan.fragments;
    assert.deepEqual(u?.links, [{ qualifier: 'u', column: 'x', other: 'f1', otherColumn: 'a' }]);
    assert.deepEqual(v?.links, []);
    assert.deepEqual(t?.links, [
      { qualifier: 't', column: 'a', other: u?.localTable, otherColumn: 'x' },
      { qualifier: 't', column: 'b', other: v?.localTable, otherColumn: 'y' },
    ]);
  });

  test('tables of one source joined in a SELECT travel as one fragment, with their subqueries', async () => {
    const V = '(SELECT a, d FROM s1.main.v) AS';
    const columns: ColumnRef[] = [
      ...all,
      ...['a', 'd'].map((column) => ({ table: { source: 's1', schema: 'main', table: 'v' }, column })),
    ];
    const plan = await splitQuery(codec, {
      sql: `SELECT t.b, v.d, u.y FROM ${T} t, ${V} v, ${U} u
              WHERE t.a = v.a AND t.c = u.x AND v.d IN (SELECT w.a FROM ${T} w WHERE w.b > 1)`,
      params: [],
      callerParams: 0,
      columns,
    });
    assert.equal(plan.fragments.length, 2);
    const [group, u] = plan.fragments;
    assert.match(
      group?.sql ?? '',
      /FROM \(SELECT a, b, c FROM s1\.main\.t\) AS t , \(SELECT a, d FROM s1\.main\.v\) AS v/,
    );
    assert.match(group?.sql ?? '', /\(t\.a = v\.a\)/);
    assert.match(
      group?.sql ?? '',
      /= ANY\(SELECT w\.a FROM \(SELECT a, b, c FROM s1\.main\.t\) AS w WHERE \(w\.b > 1\)\)/,
    );
    assert.deepEqual(group?.columns.sort(), ['t.b', 't.c', 'v.d']);
    assert.equal(group?.members?.length, 2);
    assert.deepEqual(u?.links, [{ qualifier: 'u', column: 'x', other: 'f1', otherColumn: 't.c' }]);
    assert.match(plan.localSql, /tributary_group_1\."t\.b" AS b/);
    assert.ok(plan.ungrouped, 'a grouped plan offers the plan without groups');
    const ungrouped = await plan.ungrouped([group as Fragment]);
    // Without groups the subquery still travels with the one table it filters.
    assert.equal(ungrouped.fragments.length, 3);
  });

  test('a group left out travels one table at a time; the other groups stay joined at their edge', async () => {
    const V = '(SELECT a, d FROM s1.main.v) AS';
    const W = '(SELECT x, w FROM s2.main.w) AS';
    const columns: ColumnRef[] = [
      ...all,
      ...['a', 'd'].map((column) => ({ table: { source: 's1', schema: 'main', table: 'v' }, column })),
      ...['x', 'w'].map((column) => ({ table: { source: 's2', schema: 'main', table: 'w' }, column })),
    ];
    const plan = await splitQuery(codec, {
      sql: `SELECT t.b, v.d, u.y, w.w FROM ${T} t, ${V} v, ${U} u, ${W} w
              WHERE t.a = v.a AND u.x = w.x AND t.c = u.z`,
      params: [],
      callerParams: 0,
      columns,
    });
    const groups = plan.fragments.filter((fragment) => fragment.members);
    assert.deepEqual(
      groups.map((fragment) => fragment.group),
      ['t@s1.main.t,v@s1.main.v', 'u@s2.main.u,w@s2.main.w'],
    );
    const apart = await plan.ungrouped?.([groups[1] as Fragment]);
    assert.deepEqual(
      apart?.fragments.map((fragment) => fragment.group ?? fragment.table.table),
      ['t@s1.main.t,v@s1.main.v', 'u', 'w'],
    );
    const none = await apart?.ungrouped?.(apart.fragments.filter((fragment) => fragment.members));
    assert.deepEqual(
      none?.fragments.map((fragment) => fragment.table.table),
      ['t', 'v', 'u', 'w'],
    );
    assert.equal(none?.ungrouped, undefined, 'without groups there is nothing left to leave out');
  });

  test('an equality written in every branch of a disjunction links its tables', async () => {
    const plan = await splitQuery(codec, {
      sql: `SELECT t.a FROM ${T} t, ${U} u WHERE (t.a = u.x AND t.b = 1) OR (t.a = u.x AND u.y = 2)`,
      params: [],
      callerParams: 0,
      columns: all,
    });
    assert.deepEqual(
      plan.fragments.map((f) => f.links.map((l) => `${l.qualifier}.${l.column}=${l.other}.${l.otherColumn}`)),
      [['t.a=f2.x'], ['u.x=f1.a']],
    );
  });

  test("a select item over one group's columns is computed at its edge", async () => {
    const V = '(SELECT a, d FROM s1.main.v) AS';
    const columns: ColumnRef[] = [
      ...all,
      ...['a', 'd'].map((column) => ({ table: { source: 's1', schema: 'main', table: 'v' }, column })),
    ];
    const plan = await splitQuery(codec, {
      sql: `SELECT sum(p.amount) AS total, p.y FROM (
              SELECT t.b * (1 - v.d) AS amount, u.y AS y FROM ${T} t, ${V} v, ${U} u
              WHERE t.a = v.a AND t.c = u.x) AS p GROUP BY p.y`,
      params: [],
      callerParams: 0,
      columns,
    });
    const [group] = plan.fragments;
    assert.match(group?.sql ?? '', /\(t\.b \* \(1 - v\.d\)\) AS "computed\.1"/);
    assert.deepEqual(group?.columns.sort(), ['computed.1', 't.c']);
    assert.match(plan.localSql, /tributary_group_1\."computed\.1" AS amount/);
  });

  test("aggregate arguments over one table's columns are computed at its edge; group keys stay", async () => {
    const plan = await splitQuery(codec, {
      sql: `SELECT t.b, sum(u.y * (1 - u.z)) AS total, max(t.c + 1),
                   sum(CASE WHEN t.c > 2 THEN u.y * (1 - u.z) ELSE 0 END) AS part
            FROM ${T} t, ${U} u WHERE t.a = u.x GROUP BY t.b`,
      params: [],
      callerParams: 0,
      columns: all,
    });
    const [t, u] = plan.fragments;
    assert.equal(
      t?.sql,
      'SELECT t.a AS a, t.b AS b, (t.c + 1) AS "computed.1", (t.c > 2) AS "computed.2" FROM (SELECT a, b, c FROM s1.main.t) AS t',
    );
    assert.equal(
      u?.sql,
      'SELECT u.x AS x, (u.y * (1 - u.z)) AS "computed.1" FROM (SELECT x, y, z FROM s2.main.u) AS u',
    );
    assert.match(
      plan.localSql,
      /SELECT t\.b AS b, sum\(u\."computed\.1"\) AS total, max\(t\."computed\.1"\) AS "max\(\(t\.c \+ 1\)\)"/,
    );
  });

  test('an aggregating CTE on one source runs whole at its edge', async () => {
    const plan = await splitQuery(codec, {
      sql: `WITH totals AS (SELECT u.x AS k, sum(u.y) AS total FROM ${U} u WHERE u.z > $1 GROUP BY u.x)
            SELECT t.a, totals.total FROM ${T} t, totals WHERE t.a = totals.k`,
      params: [5],
      callerParams: 1,
      columns: all,
    });
    const [totals, t] = plan.fragments;
    assert.equal(
      totals?.sql,
      'SELECT u.x AS k, sum(u.y) AS total FROM (SELECT x, y, z FROM s2.main.u) AS u WHERE (u.z > $1) GROUP BY u.x',
    );
    assert.deepEqual(totals?.params, [5]);
    assert.deepEqual(totals?.columns, ['k', 'total']);
    assert.equal(t?.table.table, 't');
    assert.match(plan.localSql, /WITH totals AS \(SELECT k, total FROM memory\.main\.f1\)/);
    assert.deepEqual(plan.localParams, []);
    // Without aggregation it is left to its tables' fragments.
    const plain = await splitQuery(codec, {
      sql: `WITH picked AS (SELECT u.x AS k FROM ${U} u) SELECT t.a FROM ${T} t, picked WHERE t.a = picked.k`,
      params: [],
      callerParams: 0,
      columns: all,
    });
    assert.match(plain.localSql, /WITH picked AS \(SELECT u\.x AS k FROM memory\.main\.f\d AS u\)/);
  });

  test('a fragment read by several references takes no key filter from one of them', async () => {
    const plan = await splitQuery(codec, {
      sql: `SELECT t.a FROM ${T} t, ${U} u1 WHERE t.a = u1.x AND t.c = (SELECT max(u2.x) FROM ${U} u2 WHERE u2.y = t.b)`,
      params: [],
      callerParams: 0,
      columns: all,
    });
    assert.equal(plan.fragments.length, 2);
    assert.deepEqual(plan.fragments[1]?.links, []);
  });
});
