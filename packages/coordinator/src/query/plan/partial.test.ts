import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SqlCodec } from '../../policy/rewrite/sql-codec.js';
import type { ColumnRef } from '../analyze/types.js';
import { countingQuery, splitQuery, withKeyFilters } from './split.js';

// Partial aggregation below joins across edges: governed queries (every
// table a projection) and the fragments and coordinator query they become.
const T = '(SELECT a, b, c FROM s1.main.t) AS';
const U = '(SELECT x, y, z FROM s2.main.u) AS';
const V = '(SELECT x, w FROM s2.main.v) AS';
const TABLES: Record<string, string[]> = { t: ['a', 'b', 'c'], u: ['x', 'y', 'z'], v: ['x', 'w'] };
const columns: ColumnRef[] = Object.entries(TABLES).flatMap(([table, names]) =>
  names.map((column) => ({ table: { source: table === 't' ? 's1' : 's2', schema: 'main', table }, column })),
);
const projection = (table: string) =>
  `FROM (SELECT ${TABLES[table]?.join(', ')} FROM s${table === 't' ? 1 : 2}.main.${table})`;

interface Accepted {
  name: string;
  sql: string;
  fragments: string[];
  local: string;
}

const ACCEPTED: Accepted[] = [
  {
    name: 'a count over the inner side of a LEFT JOIN ships counts per join key (TPC-H Q13)',
    sql: `SELECT t.a, count(u.x) AS n FROM ${T} t LEFT JOIN ${U} u ON t.a = u.y GROUP BY t.a`,
    fragments: [
      `SELECT t.a AS a ${projection('t')} AS t`,
      `SELECT u.y AS y, count(u.x) AS "partial.1" ${projection('u')} AS u GROUP BY u.y`,
    ],
    local:
      'SELECT t.a AS a, CAST(COALESCE(sum(u."partial.1"), 0) AS BIGINT) AS n FROM memory.main.f1 AS t LEFT JOIN memory.main.f2 AS u ON ((t.a = u.y)) GROUP BY t.a',
  },
  {
    name: 'sum, min, max and count(*) over one table, filtered there first; ORDER BY and HAVING combine too',
    sql: `SELECT t.b, sum(u.z), min(u.x), max(u.x) AS top, count(*) AS n FROM ${T} t, ${U} u
          WHERE t.a = u.y AND u.z > 1 GROUP BY t.b HAVING max(u.x) > 2 ORDER BY count(*) DESC`,
    fragments: [
      `SELECT t.a AS a, t.b AS b ${projection('t')} AS t`,
      `SELECT u.y AS y, count_star() AS "partial.1", sum(u.z) AS "partial.2", min(u.x) AS "partial.3", max(u.x) AS "partial.4" ${projection('u')} AS u WHERE (u.z > 1) GROUP BY u.y`,
    ],
    local:
      'SELECT t.b AS b, sum(u."partial.2") AS "sum(u.z)", min(u."partial.3") AS "min(u.x)", max(u."partial.4") AS top, CAST(COALESCE(sum(COALESCE(u."partial.1", 1)), 0) AS BIGINT) AS n FROM memory.main.f1 AS t , memory.main.f2 AS u WHERE (t.a = u.y) GROUP BY t.b HAVING (max(u."partial.4") > 2) ORDER BY CAST(COALESCE(sum(COALESCE(u."partial.1", 1)), 0) AS BIGINT) DESC',
  },
  {
    name: 'a same-source group aggregates at its edge by the member columns still read (TPC-H Q10)',
    sql: `SELECT t.b, sum(u.z * (1 - v.w)) AS total FROM ${T} t, ${U} u, ${V} v
          WHERE u.x = v.x AND t.a = u.y GROUP BY t.b`,
    fragments: [
      `SELECT u.y AS "u.y", sum((u.z * (1 - v.w))) AS "partial.1" ${projection('u')} AS u , ${projection('v').slice(5)} AS v WHERE (u.x = v.x) GROUP BY u.y`,
      `SELECT t.a AS a, t.b AS b ${projection('t')} AS t`,
    ],
    local:
      'SELECT t.b AS b, sum(tributary_group_1."partial.1") AS total FROM memory.main.f2 AS t , memory.main.f1 AS tributary_group_1 WHERE (t.a = tributary_group_1."u.y") GROUP BY t.b',
  },
  {
    name: 'either side of a FULL JOIN may be aggregated',
    sql: `SELECT t.b, count(*) AS n, sum(u.z) AS total FROM ${T} t FULL JOIN ${U} u ON t.a = u.y GROUP BY t.b`,
    fragments: [
      `SELECT t.a AS a, t.b AS b ${projection('t')} AS t`,
      `SELECT u.y AS y, count_star() AS "partial.1", sum(u.z) AS "partial.2" ${projection('u')} AS u GROUP BY u.y`,
    ],
    local:
      'SELECT t.b AS b, CAST(COALESCE(sum(COALESCE(u."partial.1", 1)), 0) AS BIGINT) AS n, sum(u."partial.2") AS total FROM memory.main.f1 AS t FULL JOIN memory.main.f2 AS u ON ((t.a = u.y)) GROUP BY t.b',
  },
  {
    name: 'without GROUP BY, count(*) over no rows is still 0',
    sql: `SELECT count(*), sum(u.z) AS total FROM ${T} t JOIN ${U} u ON t.a = u.y`,
    fragments: [
      `SELECT t.a AS a ${projection('t')} AS t`,
      `SELECT u.y AS y, count_star() AS "partial.1", sum(u.z) AS "partial.2" ${projection('u')} AS u GROUP BY u.y`,
    ],
    local:
      'SELECT CAST(COALESCE(sum(COALESCE(u."partial.1", 1)), 0) AS BIGINT) AS "count_star()", sum(u."partial.2") AS total FROM memory.main.f1 AS t INNER JOIN memory.main.f2 AS u ON ((t.a = u.y))',
  },
  {
    name: 'a GROUP BY with no aggregate ships distinct keys',
    sql: `SELECT t.b, u.z FROM ${T} t RIGHT JOIN ${U} u ON t.a = u.y GROUP BY t.b, u.z`,
    fragments: [
      `SELECT t.a AS a, t.b AS b ${projection('t')} AS t GROUP BY t.a, t.b`,
      `SELECT u.y AS y, u.z AS z ${projection('u')} AS u`,
    ],
    local:
      'SELECT t.b AS b, u.z AS z FROM memory.main.f1 AS t RIGHT JOIN memory.main.f2 AS u ON ((t.a = u.y)) GROUP BY t.b, u.z',
  },
];

interface Refused {
  name: string;
  sql: string;
}

const REFUSED: Refused[] = [
  {
    name: 'DISTINCT in an aggregate',
    sql: 'SELECT t.b, count(DISTINCT u.x) FROM $T t, $U u WHERE t.a = u.y GROUP BY t.b',
  },
  {
    name: 'FILTER on an aggregate',
    sql: 'SELECT t.b, sum(u.z) FILTER (WHERE u.x > 1) FROM $T t, $U u WHERE t.a = u.y GROUP BY t.b',
  },
  {
    name: 'ORDER BY in an aggregate',
    sql: 'SELECT t.b, min(u.z ORDER BY u.x) FROM $T t, $U u WHERE t.a = u.y GROUP BY t.b',
  },
  { name: 'avg', sql: 'SELECT t.b, avg(u.z) FROM $T t, $U u WHERE t.a = u.y GROUP BY t.b' },
  {
    name: 'string_agg',
    sql: "SELECT t.b, string_agg(u.z, ',') FROM $T t, $U u WHERE t.a = u.y GROUP BY t.b",
  },
  { name: 'any_value', sql: 'SELECT t.b, any_value(u.z) FROM $T t, $U u WHERE t.a = u.y GROUP BY t.b' },
  {
    name: 'a macro that aggregates',
    sql: 'SELECT t.b, geomean(u.z) FROM $T t, $U u WHERE t.a = u.y GROUP BY t.b',
  },
  {
    name: 'an aggregate reading two tables',
    sql: 'SELECT t.b, sum(u.z * t.c) FROM $T t, $U u WHERE t.a = u.y GROUP BY t.b',
  },
  { name: 'aggregates of two tables', sql: 'SELECT sum(u.z), max(t.c) FROM $T t, $U u WHERE t.a = u.y' },
  {
    name: 'an aggregate of a constant',
    sql: 'SELECT t.b, sum(1) FROM $T t, $U u WHERE t.a = u.y GROUP BY t.b',
  },
  {
    name: "the table's columns read in a subquery",
    sql: 'SELECT t.b, sum(u.z) FROM $T t, $U u WHERE t.a = u.y AND EXISTS (SELECT 1 FROM $T w WHERE w.c = u.x) GROUP BY t.b',
  },
  {
    name: "an aggregate of the SELECT's columns written in a subquery (it is the SELECT's own)",
    sql: 'SELECT t.b, (SELECT sum(u.z)) AS s FROM $T t, $U u WHERE t.a = u.y GROUP BY t.b',
  },
  {
    name: 'a window function',
    sql: 'SELECT t.b, sum(u.z), rank() OVER (ORDER BY t.b) FROM $T t, $U u WHERE t.a = u.y GROUP BY t.b',
  },
  { name: 'ROLLUP', sql: 'SELECT t.b, sum(u.z) FROM $T t, $U u WHERE t.a = u.y GROUP BY ROLLUP (t.b)' },
  {
    name: 'GROUPING SETS',
    sql: 'SELECT t.b, sum(u.z) FROM $T t, $U u WHERE t.a = u.y GROUP BY GROUPING SETS ((t.b), ())',
  },
  { name: 'GROUP BY ALL', sql: 'SELECT t.b, sum(u.z) FROM $T t, $U u WHERE t.a = u.y GROUP BY ALL' },
  { name: 'a star', sql: 'SELECT t.*, sum(u.z) FROM $T t, $U u WHERE t.a = u.y GROUP BY t.a, t.b, t.c' },
  { name: 'a positional reference', sql: 'SELECT t.b, sum(u.z) FROM $T t, $U u WHERE t.a = #4 GROUP BY t.b' },
  {
    name: 'a name that cannot be placed (a table function in the FROM)',
    sql: 'SELECT t.b, sum(z) FROM $T t, $U u, range(3) r WHERE t.a = u.y GROUP BY t.b',
  },
  {
    name: 'a volatile function',
    sql: 'SELECT t.b, sum(u.z) FROM $T t, $U u WHERE t.a = u.y AND t.c < random() GROUP BY t.b',
  },
  { name: 'nothing read outside aggregates', sql: 'SELECT sum(u.z) FROM $T t, $U u' },
  {
    name: 'a sample',
    sql: 'SELECT t.b, sum(u.z) FROM $T t, $U u WHERE t.a = u.y GROUP BY t.b USING SAMPLE 10%',
  },
  {
    name: 'QUALIFY',
    sql: 'SELECT t.b, sum(u.z) FROM $T t, $U u WHERE t.a = u.y GROUP BY t.b QUALIFY rank() OVER (ORDER BY t.b) = 1',
  },
  { name: 'a positional join', sql: 'SELECT t.b, sum(u.z) FROM $T t POSITIONAL JOIN $U u GROUP BY t.b' },
  {
    name: 'a table read again elsewhere, whose fragment the two references share',
    sql: 'SELECT t.b, sum(u.z) FROM $T t, $U u WHERE t.a = u.y AND t.c > (SELECT max(v.z) FROM $U v) GROUP BY t.b',
  },
  {
    name: 'one table alone in a correlated subquery',
    sql: 'SELECT t.a FROM $T t WHERE t.c > (SELECT sum(u.z) FROM $U u WHERE u.y = t.b)',
  },
];

describe('partial aggregation below joins across edges', () => {
  let codec: SqlCodec;
  before(async () => {
    codec = await SqlCodec.open();
  });
  after(() => codec.close());

  const split = (sql: string) => splitQuery(codec, { sql, params: [], callerParams: 0, columns });

  for (const c of ACCEPTED) {
    test(c.name, async () => {
      const plan = await split(c.sql);
      assert.deepEqual(
        plan.fragments.map((f) => f.sql),
        c.fragments,
      );
      assert.equal(plan.localSql, c.local);
    });
  }

  for (const c of REFUSED) {
    test(`refused: ${c.name}`, async () => {
      const plan = await split(c.sql.replaceAll('$T', T).replaceAll('$U', U));
      for (const fragment of plan.fragments) assert.doesNotMatch(fragment.sql, /GROUP BY|partial\./);
      assert.doesNotMatch(plan.localSql, /partial\./);
    });
  }

  test('key filters apply below the GROUP BY; counts are taken before it', async () => {
    const plan = await split(`SELECT t.b, sum(u.z) FROM ${T} t, ${U} u WHERE t.a = u.y GROUP BY t.b`);
    const u = plan.fragments[1];
    assert.ok(u);
    assert.deepEqual(u.links, [{ qualifier: 'u', column: 'y', other: 'f1', otherColumn: 'a' }]);
    const filtered = await withKeyFilters(codec, u, [{ qualifier: 'u', column: 'y', keysJson: '[1,2]' }]);
    assert.equal(
      filtered.sql,
      `SELECT u.y AS y, sum(u.z) AS "partial.1" FROM (SELECT * ${projection('u')} AS u WHERE (TRY_CAST(u.y AS BIGINT) = ANY(SELECT unnest(CAST(CAST($1 AS "JSON") AS BIGINT[]))))) AS u GROUP BY u.y`,
    );
    const counting = await countingQuery(codec, u);
    assert.equal(
      counting.sql,
      `SELECT count_star() AS n FROM (SELECT u.y ${projection('u')} AS u LIMIT 1000001) AS rows_of`,
    );
  });

  test('a table aggregated at its edge is not also split into computed columns', async () => {
    const plan = await split(
      `SELECT t.b, sum(u.z * (1 - u.x)) AS total FROM ${T} t, ${U} u WHERE t.a = u.y GROUP BY t.b`,
    );
    assert.equal(
      plan.fragments[1]?.sql,
      `SELECT u.y AS y, sum((u.z * (1 - u.x))) AS "partial.1" ${projection('u')} AS u GROUP BY u.y`,
    );
    assert.deepEqual(plan.fragments[1]?.columns, ['y', 'partial.1']);
  });
});
