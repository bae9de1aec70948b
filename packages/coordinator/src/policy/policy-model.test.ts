// The policy model and the pieces under the decision: shape validation,
// table names, `:user.<attribute>` compilation, lossless JSON, and
// explainAccess. Tables of inputs and expected outputs.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TributaryError } from '@tributary/core';
import type { Principal } from '../auth/principal.js';
import type { CatalogTable } from '../query/analyze/types.js';
import { conditionHolds } from './attributes.js';
import { explainAccess, parsePolicySet, parseTableName, unauthorizedError } from './index.js';
import type { AttributeCondition } from './model.js';
import { compilePolicySql } from './policy-sql.js';
import { parseLossless, stringifyLossless } from './rewrite/lossless-json.js';
import { castableType } from './sql-types.js';

const invalid = (input: unknown): TributaryError => {
  try {
    parsePolicySet(input);
  } catch (error) {
    assert.ok(error instanceof TributaryError);
    assert.equal(error.code, 'INVALID_ARGUMENT');
    return error;
  }
  assert.fail('expected the policy set to be refused');
};

describe('parsePolicySet', () => {
  const grant = { id: 'g', effect: 'allow', to: { role: 'r' }, on: { source: 'hr' } };
  const refusals: [string, unknown, string][] = [
    ['an unknown key', { version: 1, grants: [{ ...grant, exempts: {} }] }, 'grants.0'],
    ['a misspelt list', { version: 1, rowfilters: [] }, 'rowfilters'],
    [
      'duplicate ids across lists',
      {
        version: 1,
        grants: [grant],
        masks: [{ id: 'g', table: 'a.b.c', column: 'x', mask: { kind: 'null' } }],
      },
      'duplicate id g',
    ],
    [
      'columns without a table',
      { version: 1, grants: [{ ...grant, on: { source: 'hr', schema: 'main', columns: ['x'] } }] },
      'on.columns needs on.table',
    ],
    [
      'a table without a schema',
      { version: 1, grants: [{ ...grant, on: { source: 'hr', table: 'x' } }] },
      'on.table needs on.schema',
    ],
    [
      'a two-part table name',
      { version: 1, rowFilters: [{ id: 'f', table: 'hr.employees', predicate: 'true' }] },
      'expected source.schema.table',
    ],
    [
      'an unknown mask kind',
      { version: 1, masks: [{ id: 'm', table: 'a.b.c', column: 'x', mask: { kind: 'scramble' } }] },
      'masks.0.mask',
    ],
    [
      'a mask rule without a mask',
      { version: 1, tagRules: [{ id: 't', tag: 'pii', effect: 'mask' }] },
      'a mask rule needs `mask`',
    ],
    [
      'in without a list',
      {
        version: 1,
        tagRules: [{ id: 't', tag: 'pii', effect: 'deny', unless: { attribute: 'a', op: 'in', value: 1 } }],
      },
      "'in' takes a list",
    ],
    [
      'an empty applies_to',
      { version: 1, rowFilters: [{ id: 'f', table: 'a.b.c', predicate: 'true', applies_to: {} }] },
      'name at least one role, user or group',
    ],
    [
      'an empty exempt',
      { version: 1, rowFilters: [{ id: 'f', table: 'a.b.c', predicate: 'true', exempt: { groups: [] } }] },
      'name at least one role or group',
    ],
    [
      'a grant to a group and a role at once',
      {
        version: 1,
        grants: [{ id: 'g', effect: 'allow', to: { group: 'x', role: 'y' }, on: { source: 's' } }],
      },
      'grants.0.to',
    ],
    [
      'a negative keep_last',
      {
        version: 1,
        masks: [{ id: 'm', table: 'a.b.c', column: 'x', mask: { kind: 'partial', keep_last: -1 } }],
      },
      'keep_last',
    ],
  ];
  for (const [name, input, message] of refusals) {
    test(`refuses ${name}`, () => {
      const error = invalid(input);
      assert.ok(error.message.includes(message), error.message);
    });
  }

  test('fills absent lists', () => {
    assert.deepEqual(parsePolicySet({ version: 3 }), {
      version: 3,
      grants: [],
      rowFilters: [],
      masks: [],
      protections: [],
      tags: [],
      tagRules: [],
    });
  });
});

describe('parseTableName', () => {
  const cases: [string, ReturnType<typeof parseTableName>][] = [
    ['hr.main.employees', { source: 'hr', schema: 'main', table: 'employees' }],
    ['"odd.source".main."t ""q"""', { source: 'odd.source', schema: 'main', table: 't "q"' }],
    ['Finance.Ledger.Entries', { source: 'Finance', schema: 'Ledger', table: 'Entries' }],
    ['hr.employees', undefined],
    ['a.b.c.d', undefined],
    ['a..c', undefined],
    ['a.b.', undefined],
    ['"a.b.c', undefined],
    ['a"b.c.d', undefined],
  ];
  for (const [text, expected] of cases) test(text, () => assert.deepEqual(parseTableName(text), expected));
});

describe('compilePolicySql', () => {
  const attributesOf = (sql: string): string[] => compilePolicySql(sql).attributes;
  const cases: [string, string[]][] = [
    ['region = :user.region', ['region']],
    [':user.a = x OR :user.a = y OR z = :user.b', ['a', 'b']],
    ["region = ':user.region'", []],
    ['"odd :user.name" = 1', []],
    ['-- :user.hidden\nregion = :user.region', ['region']],
    ['/* :user.hidden /* nested */ */ region = :user.region', ['region']],
    ["note = E'it\\'s :user.x' AND y = :user.y", ['y']],
    ['note = $$ :user.x $$ AND y = :user.y', ['y']],
    ['x::user.t = 1', []],
    ['f(:user.a,:user.b)', ['a', 'b']],
  ];
  for (const [sql, expected] of cases)
    test(JSON.stringify(sql), () => assert.deepEqual(attributesOf(sql), expected));

  test('text around attributes is kept as written', () => {
    assert.deepEqual(compilePolicySql("a = :user.x AND ':user.y' <> b").parts, [
      'a = ',
      { attribute: 'x' },
      " AND ':user.y' <> b",
    ]);
  });

  for (const sql of ['region = $1', 'region = ?', 'region = $name', 'a = :user.x AND b = $2']) {
    test(`refuses the placeholder in ${JSON.stringify(sql)}`, () => {
      assert.throws(() => compilePolicySql(sql), /may not contain parameter placeholders/);
    });
  }
});

describe('attribute conditions', () => {
  const principal: Principal = {
    tenant: 't',
    subject: 'u',
    roles: [],
    groups: [],
    attributes: { clearance: 3, level: '4', team: 'red', active: true },
    method: 'jwt',
  };
  const cases: [AttributeCondition, boolean][] = [
    [{ attribute: 'clearance', op: '>=', value: 3 }, true],
    [{ attribute: 'clearance', op: '>', value: 3 }, false],
    [{ attribute: 'level', op: '>=', value: 4 }, true],
    [{ attribute: 'level', op: '<', value: '10' }, true],
    [{ attribute: 'team', op: '>', value: 'blue' }, false],
    [{ attribute: 'team', op: '=', value: 'red' }, true],
    [{ attribute: 'team', op: '!=', value: 'red' }, false],
    [{ attribute: 'team', op: 'in', value: ['blue', 'red'] }, true],
    [{ attribute: 'active', op: '=', value: true }, true],
    [{ attribute: 'subject', op: '=', value: 'u' }, true],
    [{ attribute: 'missing', op: '!=', value: 'x' }, false],
    [{ attribute: 'missing', op: '<', value: 1 }, false],
  ];
  for (const [condition, expected] of cases) {
    test(`${condition.attribute} ${condition.op} ${JSON.stringify(condition.value)}`, () =>
      assert.equal(conditionHolds(principal, condition), expected));
  }
});

describe('lossless JSON', () => {
  const texts = [
    '{"a":18446744073709551615,"b":[1.0,-2e5,0,true,null,"x\\"y\\u0000"],"c":{}}',
    '[10000000000.0,123456789012345678901234567890,Infinity,-Infinity,NaN]',
  ];
  for (const text of texts) test(text, () => assert.equal(stringifyLossless(parseLossless(text)), text));
  test('refuses trailing text', () => assert.throws(() => parseLossless('{} x')));
});

describe('castableType', () => {
  const cases: [string, string][] = [
    ['DECIMAL(12,2)', 'DECIMAL(12,2)'],
    ['STRUCT("a b" INTEGER, c VARCHAR[])', 'STRUCT("a b" INTEGER, c VARCHAR[])'],
    ['INTEGER) AS x, (SELECT 1', 'VARCHAR'],
    ['INTEGER -- x', 'VARCHAR'],
    ["VARCHAR'", 'VARCHAR'],
  ];
  for (const [type, expected] of cases) test(type, () => assert.equal(castableType(type), expected));
});

describe('explainAccess', () => {
  const table: CatalogTable = {
    source: 'hr',
    schema: 'main',
    table: 'employees',
    columns: [
      { name: 'id', sqlType: 'INTEGER' },
      { name: 'ssn', sqlType: 'VARCHAR' },
      { name: 'salary', sqlType: 'DECIMAL(12,2)' },
      { name: 'region', sqlType: 'VARCHAR' },
    ],
  };
  const policies = parsePolicySet({
    version: 1,
    grants: [
      {
        id: 'g',
        effect: 'allow',
        to: { role: 'analyst' },
        on: { source: 'hr', schema: 'main', table: 'employees', columns: ['id', 'region'] },
      },
    ],
    rowFilters: [{ id: 'f', table: 'hr.main.employees', predicate: 'region = :user.region' }],
    masks: [{ id: 'm', table: 'hr.main.employees', column: 'ssn', mask: { kind: 'hash' } }],
  });
  const principal: Principal = {
    tenant: 'acme',
    subject: 'ann',
    roles: ['analyst'],
    groups: [],
    attributes: { region: 'EU' },
    method: 'jwt',
  };

  test('lists what is read, masked and denied, with the row filter and its values', () => {
    const explained = explainAccess(principal, table, policies, 'salt');
    assert.equal(explained.readable, true);
    assert.deepEqual(explained.deniedColumns, ['salary']);
    assert.deepEqual(
      explained.columns.map((column) => [column.name, column.access, column.expression]),
      [
        ['id', 'read', undefined],
        ['ssn', 'masked', 'sha256(CAST($2 AS VARCHAR) || "ssn")'],
        ['salary', 'denied', undefined],
        ['region', 'read', undefined],
      ],
    );
    assert.equal(explained.filter, '(region = $1)');
    assert.deepEqual(explained.params, ['EU', 'salt']);
    assert.deepEqual(explained.applied, {
      grants: ['g'],
      filters: ['f'],
      masks: ['m'],
      protections: [],
      tagRules: [],
    });
  });

  test('a principal without a grant can read nothing', () => {
    const explained = explainAccess({ ...principal, roles: [] }, table, policies, 'salt');
    assert.equal(explained.readable, false);
    assert.deepEqual(explained.deniedColumns, ['id', 'ssn', 'salary', 'region']);
  });
});

test('unauthorizedError names the refused column and the reason', () => {
  const error = unauthorizedError({
    allowed: false,
    refusal: {
      table: { source: 'hr', schema: 'main', table: 'employees' },
      column: 'ssn',
      reason: 'denied by grant g',
    },
    tables: [],
  });
  assert.equal(error.code, 'QUERY_UNAUTHORIZED');
  assert.equal(error.message, 'not authorized to read column ssn of hr.main.employees: denied by grant g');
  assert.deepEqual(error.details, { table: 'hr.main.employees', column: 'ssn', reason: 'denied by grant g' });
});
