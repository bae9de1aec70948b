// The rewrite's own checks, which hold even if a decision or a policy set was
// never validated: a projection that reads anything but its table's own
// columns, loses its filter or gains a column is refused; a decision that does
// not match the query is refused; nothing runs after a refusal.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type SqlValue, TributaryError } from '@tributary/core';
import type { CatalogTable } from '../query/analyze/types.js';
import { type AccessDecision, loadPolicySet, rewriteQuery, SqlCodec, type TableAccess } from './index.js';

const employees: CatalogTable = {
  source: 'hr',
  schema: 'main',
  table: 'employees',
  columns: [
    { name: 'id', sqlType: 'INTEGER' },
    { name: 'ssn', sqlType: 'VARCHAR' },
    { name: 'region', sqlType: 'VARCHAR' },
  ],
};

function access(change: Partial<TableAccess> = {}): TableAccess {
  return {
    table: { source: 'hr', schema: 'main', table: 'employees' },
    columns: [
      { name: 'id', sqlType: 'INTEGER', access: 'read' },
      { name: 'ssn', sqlType: 'VARCHAR', access: 'masked', expression: "CAST('***' AS VARCHAR)" },
      { name: 'region', sqlType: 'VARCHAR', access: 'read' },
    ],
    filter: '(region = $1)',
    params: ['EU'],
    applied: { grants: [], filters: [], masks: [], protections: [], tagRules: [] },
    ...change,
  };
}

const allowed = (...tables: TableAccess[]): AccessDecision => ({ allowed: true, tables });

let codec: SqlCodec;
before(async () => {
  codec = await SqlCodec.open();
});
after(() => codec.close());

async function failure(sql: string, params: SqlValue[], decision: AccessDecision): Promise<TributaryError> {
  try {
    await rewriteQuery(codec, sql, params, decision);
  } catch (error) {
    assert.ok(error instanceof TributaryError, String(error));
    return error;
  }
  assert.fail('expected the rewrite to be refused');
}

describe('the rewrite refuses projections that could read more than their table', () => {
  const tampered: [string, Partial<TableAccess>, string][] = [
    ['a filter that closes its parenthesis early', { filter: '(region = $1) OR (1 = 1' }, 'failed its check'],
    ['a filter with a subquery', { filter: '(id IN (SELECT id FROM hr.main.departments))' }, 'subqueries'],
    [
      'a column reading another table',
      {
        columns: [
          { name: 'id', sqlType: 'INTEGER', access: 'read' },
          {
            name: 'ssn',
            sqlType: 'VARCHAR',
            access: 'masked',
            expression: '(SELECT max(ssn) FROM hr.main.employees)',
          },
          { name: 'region', sqlType: 'VARCHAR', access: 'read' },
        ],
      },
      'subqueries',
    ],
    [
      'a column expression that comments out the rest',
      {
        columns: [
          { name: 'id', sqlType: 'INTEGER', access: 'read' },
          { name: 'ssn', sqlType: 'VARCHAR', access: 'masked', expression: 'ssn FROM hr.main.employees --' },
          { name: 'region', sqlType: 'VARCHAR', access: 'read' },
        ],
      },
      'failed its check',
    ],
    [
      'a column reading a name that is not the table’s (an outer query’s column)',
      {
        columns: [
          { name: 'id', sqlType: 'INTEGER', access: 'read' },
          { name: 'ssn', sqlType: 'VARCHAR', access: 'masked', expression: 'outer_ssn' },
          { name: 'region', sqlType: 'VARCHAR', access: 'read' },
        ],
      },
      'column outer_ssn is not a column of the table',
    ],
    [
      'a filter using a placeholder it has no value for',
      { filter: '(region = $2)' },
      'parameter placeholders',
    ],
    ['a filter with an aggregate', { filter: '(count(*) > 0)' }, 'aggregate function'],
    ['a filter with a table function', { filter: "(region IN (FROM read_csv('x')))" }, 'subqueries'],
  ];
  for (const [name, change, message] of tampered) {
    test(name, async () => {
      const error = await failure('SELECT id FROM hr.main.employees', [], allowed(access(change)));
      assert.equal(error.code, 'INTERNAL');
      assert.ok(error.message.includes(message), error.message);
    });
  }

  test('a denied column with a crafted type becomes a plain VARCHAR NULL', async () => {
    const crafted = access({
      columns: [
        { name: 'id', sqlType: 'INTEGER', access: 'read' },
        { name: 'ssn', sqlType: 'INTEGER) AS ssn, (SELECT 1', access: 'denied' },
        { name: 'region', sqlType: 'VARCHAR', access: 'read' },
      ],
    });
    const rewritten = await rewriteQuery(codec, 'SELECT id FROM hr.main.employees', [], allowed(crafted));
    assert.ok(rewritten.sql.includes('CAST(NULL AS VARCHAR) AS ssn'), rewritten.sql);
  });
});

describe('the rewrite refuses decisions that do not match the query', () => {
  test('a refused decision', async () => {
    const error = await failure('SELECT 1', [], {
      allowed: false,
      refusal: { table: { source: 'hr', schema: 'main', table: 'employees' }, reason: 'no grant' },
      tables: [],
    });
    assert.equal(error.code, 'QUERY_UNAUTHORIZED');
  });

  test('a table the decision does not cover', async () => {
    const error = await failure('SELECT 1 FROM hr.main.departments', [], allowed(access()));
    assert.equal(error.code, 'INTERNAL');
    assert.ok(error.message.includes('not part of the decision'), error.message);
  });

  test('a decided table the query does not read', async () => {
    const error = await failure('SELECT 1 AS one', [], allowed(access()));
    assert.equal(error.code, 'INTERNAL');
    assert.ok(error.message.includes('decided on but not found'), error.message);
  });

  test('a governed table read with no decision at all', async () => {
    const error = await failure('SELECT id FROM hr.main.employees', [], allowed());
    assert.equal(error.code, 'INTERNAL');
  });

  test('an unqualified name that is not a CTE', async () => {
    const error = await failure('SELECT id FROM employees', [], allowed(access()));
    assert.equal(error.code, 'INTERNAL');
    assert.ok(error.message.includes('neither a CTE nor a catalog table'), error.message);
  });

  test('a placeholder without a value', async () => {
    const error = await failure('SELECT id FROM hr.main.employees WHERE id = $2', [1], allowed(access()));
    assert.equal(error.code, 'INVALID_ARGUMENT');
  });

  test('more than one statement', async () => {
    const error = await failure('SELECT 1; SELECT 2', [], allowed());
    assert.equal(error.code, 'INVALID_ARGUMENT');
  });
});

describe('parameters', () => {
  test("the caller's placeholders keep their numbers and policy values follow them", async () => {
    const rewritten = await rewriteQuery(
      codec,
      'SELECT $2 AS b, id FROM hr.main.employees WHERE id = $1',
      [7, 'x'],
      allowed(access()),
    );
    assert.deepEqual(rewritten.params, [7, 'x', 'EU']);
    assert.match(
      rewritten.sql,
      /^SELECT \$2 AS b, id FROM \(SELECT .* WHERE \(region = \$3\)\) AS employees WHERE \(id = \$1\)$/,
    );
  });

  test('each governed table gets its own placeholders, shared by its references', async () => {
    const departments = access({
      table: { source: 'hr', schema: 'main', table: 'departments' },
      columns: [{ name: 'head', sqlType: 'VARCHAR', access: 'read' }],
      filter: '(head <> $1)',
      params: ['nobody'],
    });
    const rewritten = await rewriteQuery(
      codec,
      'SELECT count(*) FROM hr.main.employees a, hr.main.departments d, hr.main.employees b',
      [],
      allowed(access(), departments),
    );
    assert.deepEqual(rewritten.params, ['EU', 'nobody']);
    assert.equal(rewritten.sql.match(/region = \$1/g)?.length, 2);
    assert.equal(rewritten.sql.match(/head != \$2/g)?.length, 1);
  });
});

test('loadPolicySet refuses a set with bad SQL, listing every problem', async () => {
  try {
    await loadPolicySet(
      {
        version: 1,
        rowFilters: [
          { id: 'f1', table: 'hr.main.employees', predicate: 'nope = 1' },
          { id: 'f2', table: 'hr.main.employees', predicate: 'region = $1' },
        ],
      },
      codec,
      [employees],
    );
    assert.fail('expected a refusal');
  } catch (error) {
    assert.ok(error instanceof TributaryError);
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.deepEqual(error.details?.problems, [
      "f1: column nope is not a column of the table (only the table's own columns may be used)",
      'f2: policy SQL may not contain parameter placeholders ($1, ?, $name); use :user.<attribute>',
    ]);
  }
});
