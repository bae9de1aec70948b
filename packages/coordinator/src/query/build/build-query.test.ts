import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type BuildQueryRequest__Input,
  fromProtoValue,
  TributaryError,
  type Value,
  type Value__Input,
} from '@tributary/core';
import { type CatalogTable, SqlAnalyzer } from '../analyze/index.js';
import { buildQuery } from './index.js';

const TABLE: CatalogTable = {
  source: 'shop',
  schema: 'main',
  table: 'orders',
  columns: [
    { name: 'id', sqlType: 'INTEGER' },
    { name: 'status', sqlType: 'VARCHAR' },
    { name: 'amount', sqlType: 'DECIMAL(18,2)' },
    { name: 'placed_at', sqlType: 'TIMESTAMP' },
    { name: 'paid', sqlType: 'BOOLEAN' },
    { name: 'Customer Name', sqlType: 'VARCHAR' },
    { name: 'say "hi"', sqlType: 'VARCHAR' },
    { name: 'meta', sqlType: 'STRUCT(channel VARCHAR)' },
    { name: 'photo', sqlType: 'BLOB' },
  ],
};

const ODD: CatalogTable = {
  source: 'odd "source"',
  schema: 'we.ird',
  table: 'x; DROP TABLE y',
  columns: [{ name: 'a"b', sqlType: 'INTEGER' }],
};

const FROM = 'FROM "shop"."main"."orders"';
const ALL = '"id", "status", "amount", "placed_at", "paid", "Customer Name", "say ""hi""", "meta", "photo"';
const int = (value: string): Value__Input => ({ kind: 'int_value', int_value: value });
const str = (value: string): Value__Input => ({ kind: 'string_value', string_value: value });
const dbl = (value: number): Value__Input => ({ kind: 'double_value', double_value: value });

interface BuildCase {
  name: string;
  request: BuildQueryRequest__Input;
  table?: CatalogTable;
  sql?: string;
  params?: Value__Input[];
  /** Columns the analyzer must report as read (defaults to none checked). */
  reads?: string[];
  /** Fragment of the INVALID_ARGUMENT message. */
  error?: string;
}

const CASES: BuildCase[] = [
  // ── Shapes ────────────────────────────────────────────────────────────────
  {
    name: 'no columns means every column, in catalog order',
    request: { table: 'shop.orders' },
    sql: `SELECT ${ALL} ${FROM}`,
    params: [],
  },
  {
    name: 'columns matched case-insensitively, spelled as the catalog does',
    request: { table: 'shop.orders', columns: ['ID', 'customer name'] },
    sql: `SELECT "id", "Customer Name" ${FROM}`,
    params: [],
    reads: ['Customer Name', 'id'],
  },
  {
    name: 'quotes inside a column name are doubled',
    request: {
      table: 'shop.orders',
      columns: ['say "hi"'],
      filters: [{ column: 'say "hi"', op: 'EQ', values: [str('x')] }],
    },
    sql: `SELECT "say ""hi""" ${FROM} WHERE "say ""hi""" = $1`,
    params: [str('x')],
    reads: ['say "hi"'],
  },
  {
    name: 'odd source, schema and table names are quoted',
    table: ODD,
    request: {
      table: '"odd ""source""".we.ird.x',
      columns: ['a"b'],
      filters: [{ column: 'a"b', op: 'GT', values: [int('1')] }],
    },
    sql: 'SELECT "a""b" FROM "odd ""source"""."we.ird"."x; DROP TABLE y" WHERE "a""b" > $1',
    params: [int('1')],
    reads: ['a"b'],
  },
  // ── Operators ─────────────────────────────────────────────────────────────
  {
    name: 'EQ',
    request: {
      table: 'shop.orders',
      columns: ['id'],
      filters: [{ column: 'id', op: 'EQ', values: [int('7')] }],
    },
    sql: `SELECT "id" ${FROM} WHERE "id" = $1`,
    params: [int('7')],
    reads: ['id'],
  },
  {
    name: 'NE on text takes the string as is',
    request: {
      table: 'shop.orders',
      columns: ['id'],
      filters: [{ column: 'status', op: 'NE', values: [str('void')] }],
    },
    sql: `SELECT "id" ${FROM} WHERE "status" <> $1`,
    params: [str('void')],
    reads: ['id', 'status'],
  },
  {
    name: 'LT with a string on a TIMESTAMP column casts the value to the column type',
    request: {
      table: 'shop.orders',
      columns: ['id'],
      filters: [{ column: 'placed_at', op: 'LT', values: [str('2024-01-01')] }],
    },
    sql: `SELECT "id" ${FROM} WHERE "placed_at" < CAST($1 AS TIMESTAMP)`,
    params: [str('2024-01-01')],
    reads: ['id', 'placed_at'],
  },
  {
    name: 'LE with a double on a DECIMAL column',
    request: {
      table: 'shop.orders',
      columns: ['id'],
      filters: [{ column: 'amount', op: 'LE', values: [dbl(9.99)] }],
    },
    sql: `SELECT "id" ${FROM} WHERE "amount" <= $1`,
    params: [dbl(9.99)],
    reads: ['amount', 'id'],
  },
  {
    name: 'GT and GE together (AND)',
    request: {
      table: 'shop.orders',
      columns: ['id'],
      filters: [
        { column: 'amount', op: 'GT', values: [str('10.50')] },
        { column: 'id', op: 'GE', values: [int('3')] },
      ],
    },
    sql: `SELECT "id" ${FROM} WHERE "amount" > CAST($1 AS DECIMAL(18,2)) AND "id" >= $2`,
    params: [str('10.50'), int('3')],
    reads: ['amount', 'id'],
  },
  {
    name: 'IN',
    request: {
      table: 'shop.orders',
      columns: ['id'],
      filters: [{ column: 'status', op: 'IN', values: [str('a'), str('b'), str('c')] }],
    },
    sql: `SELECT "id" ${FROM} WHERE "status" IN ($1, $2, $3)`,
    params: [str('a'), str('b'), str('c')],
    reads: ['id', 'status'],
  },
  {
    name: 'NOT_IN',
    request: {
      table: 'shop.orders',
      columns: ['id'],
      filters: [{ column: 'id', op: 'NOT_IN', values: [int('1'), int('2')] }],
    },
    sql: `SELECT "id" ${FROM} WHERE "id" NOT IN ($1, $2)`,
    params: [int('1'), int('2')],
    reads: ['id'],
  },
  {
    name: 'LIKE',
    request: {
      table: 'shop.orders',
      columns: ['id'],
      filters: [{ column: 'Customer Name', op: 'LIKE', values: [str('A%')] }],
    },
    sql: `SELECT "id" ${FROM} WHERE "Customer Name" LIKE $1`,
    params: [str('A%')],
    reads: ['Customer Name', 'id'],
  },
  {
    name: 'ILIKE',
    request: {
      table: 'shop.orders',
      columns: ['id'],
      filters: [{ column: 'status', op: 'ILIKE', values: [str('%OPEN%')] }],
    },
    sql: `SELECT "id" ${FROM} WHERE "status" ILIKE $1`,
    params: [str('%OPEN%')],
    reads: ['id', 'status'],
  },
  {
    name: 'IS_NULL',
    request: { table: 'shop.orders', columns: ['id'], filters: [{ column: 'paid', op: 'IS_NULL' }] },
    sql: `SELECT "id" ${FROM} WHERE "paid" IS NULL`,
    params: [],
    reads: ['id', 'paid'],
  },
  {
    name: 'IS_NOT_NULL',
    request: {
      table: 'shop.orders',
      columns: ['id'],
      filters: [{ column: 'meta', op: 'IS_NOT_NULL', values: [] }],
    },
    sql: `SELECT "id" ${FROM} WHERE "meta" IS NOT NULL`,
    params: [],
    reads: ['id', 'meta'],
  },
  {
    name: 'BETWEEN',
    request: {
      table: 'shop.orders',
      columns: ['id'],
      filters: [{ column: 'placed_at', op: 'BETWEEN', values: [str('2024-01-01'), str('2024-02-01 12:00')] }],
    },
    sql: `SELECT "id" ${FROM} WHERE "placed_at" BETWEEN CAST($1 AS TIMESTAMP) AND CAST($2 AS TIMESTAMP)`,
    params: [str('2024-01-01'), str('2024-02-01 12:00')],
    reads: ['id', 'placed_at'],
  },
  {
    name: 'a boolean value',
    request: {
      table: 'shop.orders',
      columns: ['id'],
      filters: [{ column: 'paid', op: 'EQ', values: [{ bool_value: true }] }],
    },
    sql: `SELECT "id" ${FROM} WHERE "paid" = $1`,
    params: [{ kind: 'bool_value', bool_value: true }],
    reads: ['id', 'paid'],
  },
  {
    name: 'a bytes value',
    request: {
      table: 'shop.orders',
      columns: ['id'],
      filters: [{ column: 'photo', op: 'EQ', values: [{ bytes_value: Buffer.from([1, 2]) }] }],
    },
    sql: `SELECT "id" ${FROM} WHERE "photo" = $1`,
    params: [{ kind: 'bytes_value', bytes_value: Buffer.from([1, 2]) }],
    reads: ['id', 'photo'],
  },
  {
    name: 'operators by proto number',
    request: {
      table: 'shop.orders',
      columns: ['id'],
      filters: [
        { column: 'id', op: 1, values: [{ int_value: 5 }] },
        { column: 'status', op: 11 },
      ],
    },
    sql: `SELECT "id" ${FROM} WHERE "id" = $1 AND "status" IS NULL`,
    params: [int('5')],
    reads: ['id', 'status'],
  },
  // ── ORDER BY, LIMIT, OFFSET ───────────────────────────────────────────────
  {
    name: 'ORDER BY, LIMIT and OFFSET',
    request: {
      table: 'shop.orders',
      columns: ['id'],
      order_by: [{ column: 'placed_at', descending: true }, { column: 'ID' }],
      limit: '100',
      offset: 20,
    },
    sql: `SELECT "id" ${FROM} ORDER BY "placed_at" DESC, "id" ASC LIMIT 100 OFFSET 20`,
    params: [],
    reads: ['id', 'placed_at'],
  },
  {
    name: 'limit 0 (the proto default) means no limit; the maximum is accepted',
    request: { table: 'shop.orders', columns: ['id'], limit: 0, offset: '0' },
    sql: `SELECT "id" ${FROM}`,
    params: [],
  },
  {
    name: 'limit at the maximum',
    request: { table: 'shop.orders', columns: ['id'], limit: 1_000_000 },
    sql: `SELECT "id" ${FROM} LIMIT 1000000`,
    params: [],
  },
  {
    name: 'a request as grpc-js decodes it (all fields present, oneof kind set)',
    request: {
      table: 'shop.orders',
      columns: [],
      filters: [{ column: 'id', op: 'EQ', values: [{ kind: 'int_value', int_value: '9' }] }],
      order_by: [],
      limit: '0',
      offset: '0',
    },
    sql: `SELECT ${ALL} ${FROM} WHERE "id" = $1`,
    params: [int('9')],
  },
  // ── Injection attempts end up in parameters ───────────────────────────────
  {
    name: 'a quote-breaking string value',
    request: {
      table: 'shop.orders',
      columns: ['id'],
      filters: [{ column: 'status', op: 'EQ', values: [str("x' OR '1'='1")] }],
    },
    sql: `SELECT "id" ${FROM} WHERE "status" = $1`,
    params: [str("x' OR '1'='1")],
    reads: ['id', 'status'],
  },
  {
    name: 'a statement-stacking value',
    request: {
      table: 'shop.orders',
      columns: ['id'],
      filters: [{ column: 'status', op: 'IN', values: [str('a'), str("'); DROP TABLE shop.orders; --")] }],
    },
    sql: `SELECT "id" ${FROM} WHERE "status" IN ($1, $2)`,
    params: [str('a'), str("'); DROP TABLE shop.orders; --")],
    reads: ['id', 'status'],
  },
  {
    name: 'a value that looks like a placeholder',
    request: {
      table: 'shop.orders',
      columns: ['id'],
      filters: [{ column: 'status', op: 'LIKE', values: [str('$1 OR 1=1')] }],
    },
    sql: `SELECT "id" ${FROM} WHERE "status" LIKE $1`,
    params: [str('$1 OR 1=1')],
    reads: ['id', 'status'],
  },
  // ── Errors ────────────────────────────────────────────────────────────────
  {
    name: 'unknown column in columns',
    request: { table: 't', columns: ['nope'] },
    error: 'columns[0]: column nope not found',
  },
  {
    name: 'an identifier-breaking column name is just unknown',
    request: { table: 't', columns: ['id" FROM x; --'] },
    error: 'not found in shop.main.orders',
  },
  {
    name: 'unknown column in a filter',
    request: { table: 't', filters: [{ column: 'nope', op: 'EQ', values: [int('1')] }] },
    error: 'filters[0].column: column nope not found',
  },
  {
    name: 'unknown column in order_by',
    request: { table: 't', order_by: [{ column: 'nope' }] },
    error: 'order_by[0].column',
  },
  { name: 'a column listed twice', request: { table: 't', columns: ['id', 'ID'] }, error: 'listed twice' },
  {
    name: 'missing operator',
    request: { table: 't', filters: [{ column: 'id', values: [int('1')] }] },
    error: 'filter operator is required',
  },
  {
    name: 'unknown operator name',
    request: { table: 't', filters: [{ column: 'id', op: 'CONTAINS' as 'EQ', values: [int('1')] }] },
    error: 'unknown filter operator CONTAINS',
  },
  {
    name: 'unknown operator number',
    request: { table: 't', filters: [{ column: 'id', op: 99 as 1, values: [int('1')] }] },
    error: 'unknown filter operator 99',
  },
  {
    name: 'EQ without a value',
    request: { table: 't', filters: [{ column: 'id', op: 'EQ' }] },
    error: 'EQ takes one value; got 0',
  },
  {
    name: 'LT with two values',
    request: { table: 't', filters: [{ column: 'id', op: 'LT', values: [int('1'), int('2')] }] },
    error: 'LT takes one value; got 2',
  },
  {
    name: 'BETWEEN with one value',
    request: { table: 't', filters: [{ column: 'id', op: 'BETWEEN', values: [int('1')] }] },
    error: 'BETWEEN takes two values; got 1',
  },
  {
    name: 'IN without values',
    request: { table: 't', filters: [{ column: 'id', op: 'IN', values: [] }] },
    error: 'IN takes at least one value',
  },
  {
    name: 'IS_NULL with a value',
    request: { table: 't', filters: [{ column: 'id', op: 'IS_NULL', values: [int('1')] }] },
    error: 'IS_NULL takes no values; got 1',
  },
  {
    name: 'LIKE with a number',
    request: { table: 't', filters: [{ column: 'status', op: 'LIKE', values: [int('1')] }] },
    error: 'LIKE takes a string pattern',
  },
  {
    name: 'EQ with NULL',
    request: { table: 't', filters: [{ column: 'id', op: 'EQ', values: [{ null_value: true }] }] },
    error: 'use IS_NULL or IS_NOT_NULL',
  },
  {
    name: 'NULL inside an IN list',
    request: { table: 't', filters: [{ column: 'id', op: 'IN', values: [int('1'), { null_value: true }] }] },
    error: 'cannot compare with NULL',
  },
  {
    name: 'a value with nothing set',
    request: { table: 't', filters: [{ column: 'id', op: 'EQ', values: [{}] }] },
    error: 'filters[0].values[0]: no value is set',
  },
  {
    name: 'a value with two fields set',
    request: {
      table: 't',
      filters: [{ column: 'id', op: 'EQ', values: [{ int_value: 1, string_value: '1' }] }],
    },
    error: 'more than one value is set',
  },
  {
    name: 'an int_value that is not an integer',
    request: { table: 't', filters: [{ column: 'id', op: 'EQ', values: [{ int_value: '1; DROP' }] }] },
    error: 'must be an integer',
  },
  { name: 'negative limit', request: { table: 't', limit: -1 }, error: 'limit must not be negative' },
  {
    name: 'limit above the maximum',
    request: { table: 't', limit: '1000001' },
    error: 'limit must be at most 1000000',
  },
  {
    name: 'a limit that is not a number',
    request: { table: 't', limit: '10 OR 1=1' },
    error: 'limit must be an integer',
  },
  { name: 'negative offset', request: { table: 't', offset: '-5' }, error: 'offset must not be negative' },
  {
    name: 'an offset beyond 64 bits',
    request: { table: 't', offset: '99999999999999999999' },
    error: 'offset does not fit in 64 bits',
  },
];

const qualified = (t: { source: string; schema: string; table: string }): string =>
  `${t.source}.${t.schema}.${t.table}`;

describe('buildQuery', () => {
  let analyzer: SqlAnalyzer;
  before(async () => {
    analyzer = await SqlAnalyzer.create();
    await analyzer.setCatalog(1, [TABLE, ODD]);
  });
  after(() => analyzer.close());

  for (const c of CASES) {
    test(c.name, async () => {
      const table = c.table ?? TABLE;
      if (c.error) {
        assert.throws(
          () => buildQuery(c.request, table),
          (error: unknown) =>
            error instanceof TributaryError &&
            error.code === 'INVALID_ARGUMENT' &&
            (error.message.includes(c.error!) || assert.fail(`message: ${error.message}`)),
        );
        return;
      }
      const built = buildQuery(c.request, table);
      if (c.sql !== undefined) assert.equal(built.sql, c.sql);
      if (c.params !== undefined) assert.deepEqual(built.params, c.params);

      // The SQL round-trips through the analyzer, with the params bound as the engine would.
      const values = built.params.map((param) => fromProtoValue(param as Value));
      const analyzed = await analyzer.analyze(built.sql, values);
      assert.deepEqual(analyzed.tables.map(qualified), [qualified(table)]);
      assert.equal(analyzed.parameterCount, built.params.length);
      const selected = c.request.columns?.length
        ? c.request.columns.map(
            (name) => table.columns.find((col) => col.name.toLowerCase() === name.toLowerCase())!,
          )
        : table.columns;
      assert.deepEqual(
        analyzed.outputColumns.map((column) => column.name),
        selected.map((column) => column.name),
      );
      if (c.reads) {
        assert.deepEqual(
          analyzed.columns.map((column) => column.column),
          c.reads,
        );
      }
    });
  }

  test('there is a case for every operator', () => {
    const ops = new Set(
      CASES.flatMap((c) => (c.error ? [] : (c.request.filters ?? []).map((f) => f.op))).filter(
        (op) => typeof op === 'string',
      ),
    );
    for (const op of [
      'EQ',
      'NE',
      'LT',
      'LE',
      'GT',
      'GE',
      'IN',
      'NOT_IN',
      'LIKE',
      'ILIKE',
      'IS_NULL',
      'IS_NOT_NULL',
      'BETWEEN',
    ]) {
      assert.ok(ops.has(op as never), `no case for ${op}`);
    }
  });
});
