// ValidateQuery and BuildQuery over gRPC and HTTP: what a valid query
// reads and returns, how an invalid one is reported, and built queries that
// run and return what the equivalent hand-written SQL returns in DuckDB.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type BuildQueryRequest__Input,
  fromProtoValue,
  type SqlValue,
  type ValidateQueryResponse,
  type Value,
} from '@tributary/core';
import { expectGrpcError, expectHttpError, httpJson, httpQuery } from '../support/assertions.js';
import { canonFromArrow, canonFromReference } from '../support/canonical.js';
import { useFixtureCluster } from '../support/fixture-cluster.js';
import type { Param } from '../support/fixtures.js';

const env = useFixtureCluster();

const ref = (name: string) => {
  const [source, schema, table] = name.split('.') as [string, string, string];
  return { source, schema, table };
};
const col = (table: string, column: string) => ({ table: ref(table), column });

interface ValidCase {
  name: string;
  sql: string;
  params?: Param[];
  tables: string[];
  columns: [string, string][];
}

const VALID: ValidCase[] = [
  {
    name: 'a join with a parameter, an aggregate and a filter-only column',
    sql: `SELECT c.name, sum(o.amount) AS total FROM lake.main.customers c
            JOIN lake.main.orders o ON o.customer_id = c.id WHERE o.status = $1 GROUP BY c.name`,
    params: ['shipped'],
    tables: ['lake.main.customers', 'lake.main.orders'],
    columns: [
      ['lake.main.customers', 'id'],
      ['lake.main.customers', 'name'],
      ['lake.main.orders', 'amount'],
      ['lake.main.orders', 'customer_id'],
      ['lake.main.orders', 'status'],
    ],
  },
  {
    name: '* expands to every column',
    sql: 'SELECT * FROM warehouse.main.stores',
    tables: ['warehouse.main.stores'],
    columns: [
      ['warehouse.main.stores', 'city'],
      ['warehouse.main.stores', 'id'],
      ['warehouse.main.stores', 'opened'],
    ],
  },
  {
    name: 'quoted identifiers, a non-main schema and a subquery',
    sql: `SELECT "unit price" FROM warehouse.main."order lines"
           WHERE "line id" IN (SELECT product_id FROM warehouse.inventory.stock_levels)`,
    tables: ['warehouse.inventory.stock_levels', 'warehouse.main.order lines'],
    columns: [
      ['warehouse.inventory.stock_levels', 'product_id'],
      ['warehouse.main.order lines', 'line id'],
      ['warehouse.main.order lines', 'unit price'],
    ],
  },
  { name: 'a table-less query', sql: `SELECT 1 AS one, 'x' AS letter, [1.5] AS l`, tables: [], columns: [] },
];

/** Sorted copies, so the comparison does not depend on the order the analyzer lists them in. */
const sortedTables = (tables: { source?: string; schema?: string; table?: string }[]) =>
  tables.map((t) => `${t.source}.${t.schema}.${t.table}`).sort();
const sortedColumns = (
  columns: { table?: { source?: string; schema?: string; table?: string } | null; column?: string }[],
) => columns.map((c) => `${c.table?.source}.${c.table?.schema}.${c.table?.table}:${c.column}`).sort();

function checkValid(
  response: ValidateQueryResponse,
  c: ValidCase,
  outputs: [string, string][],
  what: string,
) {
  assert.equal(response.valid, true, `${what}: ${JSON.stringify(response.error)}`);
  assert.equal(response.statement_type, 'SELECT');
  assert.deepEqual(sortedTables(response.tables), [...c.tables].sort(), `${what}: tables`);
  assert.deepEqual(
    sortedColumns(response.columns),
    c.columns.map(([t, column]) => sortedColumns([col(t, column)])[0]).sort(),
    `${what}: columns`,
  );
  assert.deepEqual(
    response.output_columns.map((o) => [o.name, o.sql_type]),
    outputs,
    `${what}: output columns`,
  );
  assert.deepEqual(response.edges, ['edge-1'], `${what}: edges`);
}

describe('ValidateQuery: a valid query', () => {
  for (const c of VALID) {
    test(c.name, async () => {
      // DuckDB itself names and types the result columns.
      const answer = await env.reference.query(c.sql, c.params ?? []);
      const outputs = answer.names.map((name, i) => [name, String(answer.types[i])] as [string, string]);
      checkValid(await env.client.validate(c.sql, c.params ?? []), c, outputs, 'gRPC');
      const body = await httpJson<ValidateQueryResponse>(env.cluster, '/v1/query/validate', {
        sql: c.sql,
        params: c.params ?? [],
      });
      checkValid(body, c, outputs, 'HTTP');
    });
  }
});

interface InvalidCase {
  name: string;
  sql: string;
  params?: Param[];
  code: string;
  position?: number;
}

const INVALID: InvalidCase[] = [
  { name: 'a syntax error', sql: 'SELEC 1', code: 'INVALID_ARGUMENT', position: 1 },
  { name: 'an unknown table', sql: 'SELECT * FROM lake.main.nope', code: 'NOT_FOUND', position: 15 },
  {
    name: 'an unknown column',
    sql: 'SELECT nope FROM lake.main.customers',
    code: 'INVALID_ARGUMENT',
    position: 8,
  },
  { name: 'a DROP', sql: 'DROP TABLE warehouse.main.products', code: 'INVALID_ARGUMENT' },
  {
    name: 'a table function',
    sql: `SELECT * FROM read_csv('/etc/passwd')`,
    code: 'INVALID_ARGUMENT',
    position: 15,
  },
  {
    name: 'the wrong number of parameters',
    sql: 'SELECT * FROM lake.main.customers WHERE id = $1',
    params: [1, 2],
    code: 'INVALID_ARGUMENT',
  },
];

describe('ValidateQuery: an invalid query is reported, not thrown', () => {
  for (const c of INVALID) {
    test(c.name, async () => {
      const viaGrpc = await env.client.validate(c.sql, c.params ?? []);
      const viaHttp = await httpJson<ValidateQueryResponse>(env.cluster, '/v1/query/validate', {
        sql: c.sql,
        params: c.params ?? [],
      });
      for (const [what, response] of [
        ['gRPC', viaGrpc],
        ['HTTP', viaHttp],
      ] as const) {
        assert.equal(response.valid, false, what);
        assert.equal(response.error?.code, c.code, `${what}: ${response.error?.message}`);
        assert.ok(response.error?.message, `${what}: a message`);
        if (c.position !== undefined) assert.equal(response.error?.position, c.position, `${what}: position`);
      }
      assert.equal(viaHttp.error?.message, viaGrpc.error?.message);
    });
  }

  test('a request that cannot be validated at all is an error, not valid:false', async () => {
    await expectGrpcError(env.client.validate(''), 'INVALID_ARGUMENT');
    await expectHttpError(
      await env.cluster.http('/v1/query/validate', { method: 'POST', json: { params: [] } }),
      400,
      'INVALID_ARGUMENT',
    );
  });
});

/** A proto Value as an HTTP /v1/query parameter. */
function jsonParam(value: Value): Param {
  const sql: SqlValue = fromProtoValue(value);
  if (typeof sql === 'bigint') return Number(sql);
  if (sql instanceof Uint8Array) throw new Error('no bytes in these tests');
  return sql;
}

interface BuildCase {
  name: string;
  request: BuildQueryRequest__Input;
  /** The hand-written equivalent, run by the env.reference DuckDB. */
  equivalent: string;
  ordered?: boolean;
}

const s = (text: string) => ({ string_value: text });
const i = (n: number) => ({ int_value: String(n) });
const d = (n: number) => ({ double_value: n });

const BUILDS: BuildCase[] = [
  {
    name: 'columns, an EQ filter, ORDER BY and LIMIT',
    request: {
      table: 'lake.main.customers',
      columns: ['name', 'country'],
      filters: [{ column: 'vip', op: 'EQ', values: [{ bool_value: true }] }],
      order_by: [{ column: 'name' }],
      limit: 10,
    },
    equivalent: 'SELECT name, country FROM lake.main.customers WHERE vip = true ORDER BY name LIMIT 10',
    ordered: true,
  },
  {
    name: 'NE, LT, LE, GT, GE combined with AND',
    request: {
      table: 'lake.main.orders',
      columns: ['order_id'],
      filters: [
        { column: 'status', op: 'NE', values: [s('returned')] },
        { column: 'amount', op: 'GT', values: [d(100.5)] },
        { column: 'amount', op: 'LE', values: [i(900)] },
        { column: 'order_id', op: 'GE', values: [i(3)] },
        { column: 'order_id', op: 'LT', values: [i(35)] },
      ],
      order_by: [{ column: 'order_id', descending: true }],
    },
    equivalent: `SELECT order_id FROM lake.main.orders WHERE status <> 'returned' AND amount > 100.5
                   AND amount <= 900 AND order_id >= 3 AND order_id < 35 ORDER BY order_id DESC`,
    ordered: true,
  },
  {
    name: 'IN and NOT IN lists',
    request: {
      table: 'warehouse.main.products',
      columns: ['id', 'name'],
      filters: [
        { column: 'category', op: 'IN', values: [s('kitchen'), s('office')] },
        { column: 'id', op: 'NOT_IN', values: [i(2), i(6)] },
      ],
      order_by: [{ column: 'id' }],
    },
    equivalent: `SELECT id, name FROM warehouse.main.products
                  WHERE category IN ('kitchen', 'office') AND id NOT IN (2, 6) ORDER BY id`,
    ordered: true,
  },
  {
    name: 'LIKE and ILIKE',
    request: {
      table: 'lake.main.customers',
      columns: ['id'],
      filters: [
        { column: 'name', op: 'ILIKE', values: [s('%E%')] },
        { column: 'country', op: 'LIKE', values: [s('_%')] },
      ],
      order_by: [{ column: 'id' }],
    },
    equivalent: `SELECT id FROM lake.main.customers WHERE name ILIKE '%E%' AND country LIKE '_%' ORDER BY id`,
    ordered: true,
  },
  {
    name: 'IS NULL, IS NOT NULL and BETWEEN, on a table with spaces in its names',
    request: {
      table: 'warehouse.main.order lines',
      columns: ['line id', 'unit price'],
      filters: [
        { column: 'Product Name', op: 'IS_NOT_NULL' },
        { column: 'unit price', op: 'BETWEEN', values: [d(10), s('300')] },
      ],
      order_by: [{ column: 'unit price', descending: true }],
    },
    equivalent: `SELECT "line id", "unit price" FROM warehouse.main."order lines"
                  WHERE "Product Name" IS NOT NULL AND "unit price" BETWEEN 10 AND 300 ORDER BY "unit price" DESC`,
    ordered: true,
  },
  {
    name: 'IS NULL on a date, every column',
    request: {
      table: 'lake.main.customers',
      filters: [{ column: 'signup', op: 'IS_NULL' }],
    },
    equivalent: 'SELECT * FROM lake.main.customers WHERE signup IS NULL',
  },
  {
    name: 'LIMIT with OFFSET',
    request: {
      table: 'warehouse.main.stores',
      columns: ['city'],
      order_by: [{ column: 'id' }],
      limit: 1,
      offset: 1,
    },
    equivalent: 'SELECT city FROM warehouse.main.stores ORDER BY id LIMIT 1 OFFSET 1',
    ordered: true,
  },
  {
    name: 'a date compared with a string value',
    request: {
      table: 'lake.main.events',
      columns: ['id', 'happened'],
      filters: [{ column: 'happened', op: 'GE', values: [s('2024-05-08')] }],
      order_by: [{ column: 'id' }],
    },
    equivalent: `SELECT id, happened FROM lake.main.events WHERE happened >= DATE '2024-05-08' ORDER BY id`,
    ordered: true,
  },
];

describe('BuildQuery: built queries run and return the expected rows', () => {
  for (const c of BUILDS) {
    test(c.name, async () => {
      const expected = canonFromReference(await env.reference.query(c.equivalent));
      assert.ok(expected.rows.length > 0 || c.name.includes('empty'), 'the case selects something');

      const built = await env.client.build(c.request);
      assert.match(built.sql, /^SELECT /);
      const params = built.params.map(fromProtoValue);
      const viaGrpc = canonFromArrow(await env.client.query(built.sql, { params }).toTable());
      assert.deepEqual(viaGrpc.names, expected.names);
      assert.deepEqual(viaGrpc.types, expected.types);
      if (c.ordered) assert.deepEqual(viaGrpc.rows, expected.rows);
      else assert.equal(viaGrpc.rows.length, expected.rows.length);

      const viaHttp = await httpJson<{ sql: string; params: Value[] }>(
        env.cluster,
        '/v1/query/build',
        c.request,
      );
      assert.equal(viaHttp.sql, built.sql, 'HTTP builds the same SQL');
      assert.deepEqual(viaHttp.params.map(fromProtoValue), params, 'and the same parameters');
      const ran = await httpQuery(env.cluster, viaHttp.sql, { params: viaHttp.params.map(jsonParam) });
      assert.equal(ran.data.length, expected.rows.length);
      assert.deepEqual(ran.data, await env.client.query(built.sql, { params }).toArray());
    });
  }
});

describe('BuildQuery: injection attempts and mistakes', () => {
  const HOSTILE = `x' OR '1'='1'; DROP TABLE lake.main.customers; --`;

  test('a hostile filter value becomes a parameter, never SQL text', async () => {
    const built = await env.client.build({
      table: 'lake.main.customers',
      columns: ['name'],
      filters: [{ column: 'name', op: 'EQ', values: [s(HOSTILE)] }],
    });
    assert.ok(!built.sql.includes('DROP'), built.sql);
    assert.ok(!built.sql.includes("'"), `no literal in ${built.sql}`);
    assert.deepEqual(built.params.map(fromProtoValue), [HOSTILE]);
    const rows = await env.client.query(built.sql, { params: built.params.map(fromProtoValue) }).toArray();
    assert.deepEqual(rows, []);
    assert.deepEqual(await env.client.query('SELECT count(*) AS n FROM lake.main.customers').toArray(), [
      { n: 7 },
    ]);
  });

  test('a hostile IN list stays parameters', async () => {
    const built = await env.client.build({
      table: 'warehouse.main.products',
      filters: [{ column: 'name', op: 'IN', values: [s(HOSTILE), s('Lamp')] }],
    });
    assert.deepEqual(built.params.map(fromProtoValue), [HOSTILE, 'Lamp']);
    const rows = await env.client.query(built.sql, { params: built.params.map(fromProtoValue) }).toArray();
    assert.deepEqual(
      rows.map((r) => r.name),
      ['Lamp'],
    );
  });

  const MISTAKES: {
    name: string;
    request: BuildQueryRequest__Input;
    code: 'INVALID_ARGUMENT' | 'NOT_FOUND';
  }[] = [
    { name: 'an unknown table', request: { table: 'lake.main.nope' }, code: 'NOT_FOUND' },
    {
      name: 'a table name with SQL in it',
      request: { table: 'lake.main.customers; DROP TABLE x' },
      code: 'NOT_FOUND',
    },
    {
      name: 'an unknown column',
      request: { table: 'lake.main.customers', columns: ['nope'] },
      code: 'INVALID_ARGUMENT',
    },
    {
      name: 'a column name with SQL in it',
      request: { table: 'lake.main.customers', columns: ['name" FROM lake.main.orders --'] },
      code: 'INVALID_ARGUMENT',
    },
    {
      name: 'a filter on an unknown column',
      request: { table: 'lake.main.customers', filters: [{ column: 'nope', op: 'EQ', values: [i(1)] }] },
      code: 'INVALID_ARGUMENT',
    },
    {
      name: 'an ORDER BY on an unknown column',
      request: { table: 'lake.main.customers', order_by: [{ column: '1; DROP TABLE x' }] },
      code: 'INVALID_ARGUMENT',
    },
    {
      name: 'BETWEEN with one value',
      request: { table: 'lake.main.orders', filters: [{ column: 'amount', op: 'BETWEEN', values: [i(1)] }] },
      code: 'INVALID_ARGUMENT',
    },
    {
      name: 'EQ with no value',
      request: { table: 'lake.main.orders', filters: [{ column: 'amount', op: 'EQ', values: [] }] },
      code: 'INVALID_ARGUMENT',
    },
    {
      name: 'no operator',
      request: { table: 'lake.main.orders', filters: [{ column: 'amount', values: [i(1)] }] },
      code: 'INVALID_ARGUMENT',
    },
    { name: 'a negative limit', request: { table: 'lake.main.orders', limit: -1 }, code: 'INVALID_ARGUMENT' },
  ];
  for (const c of MISTAKES) {
    test(`${c.name} → ${c.code}`, async () => {
      await expectGrpcError(env.client.build(c.request), c.code);
      const response = await env.cluster.http('/v1/query/build', { method: 'POST', json: c.request });
      await expectHttpError(response, c.code === 'NOT_FOUND' ? 404 : 400, c.code);
    });
  }
});
