// An agent's access is its owner's decision narrowed by the agent's scope:
// a table of (owner's decision, query, scope) → expected decision. The scope
// only ever takes access away.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AnalyzedQuery, TableRef } from '../query/analyze/types.js';
import { type AgentScope, narrowDecision, narrowExplanation } from './agent-scope.js';
import type { AccessDecision, ColumnAccess, TableAccess, TableExplanation } from './types.js';

const customers: TableRef = { source: 'lake', schema: 'main', table: 'customers' };
const orders: TableRef = { source: 'lake', schema: 'main', table: 'orders' };

function access(table: TableRef, columns: Record<string, ColumnAccess['access']>): TableAccess {
  return {
    table,
    columns: Object.entries(columns).map(([name, a]) => ({ name, sqlType: 'VARCHAR', access: a })),
    params: [],
    applied: { grants: [], filters: [], masks: [], protections: [], tagRules: [] },
  };
}

function query(tables: TableRef[], columns: [TableRef, string][]): AnalyzedQuery {
  return {
    statementType: 'SELECT',
    tables,
    columns: columns.map(([table, column]) => ({ table, column })),
    outputColumns: [],
    parameterCount: 0,
    catalogVersion: 1,
  };
}

const owner: AccessDecision = {
  allowed: true,
  tables: [
    access(customers, { id: 'read', name: 'read', email: 'masked', secret: 'denied' }),
    access(orders, { id: 'read', amount: 'read' }),
  ],
};

const scope = (tables: AgentScope['tables']): AgentScope => ({ tables });

describe('narrowDecision', () => {
  const cases: {
    what: string;
    scope: AgentScope;
    query: AnalyzedQuery;
    refused?: { table: string; column?: string };
  }[] = [
    {
      what: 'a table and columns in scope',
      scope: scope([{ table: 'lake.main.customers', columns: ['id', 'email'] }]),
      query: query(
        [customers],
        [
          [customers, 'id'],
          [customers, 'email'],
        ],
      ),
    },
    {
      what: 'a column the owner reads but the scope leaves out',
      scope: scope([{ table: 'lake.main.customers', columns: ['id'] }]),
      query: query(
        [customers],
        [
          [customers, 'id'],
          [customers, 'name'],
        ],
      ),
      refused: { table: 'customers', column: 'name' },
    },
    {
      what: 'a table the scope does not name',
      scope: scope([{ table: 'lake.main.customers', columns: [] }]),
      query: query([customers, orders], [[orders, 'amount']]),
      refused: { table: 'orders' },
    },
    {
      what: 'count(*) of a table outside the scope',
      scope: scope([]),
      query: query([orders], []),
      refused: { table: 'orders' },
    },
    {
      what: 'names compared as DuckDB does, case-insensitively',
      scope: scope([{ table: 'LAKE.Main.Customers', columns: ['ID'] }]),
      query: query([customers], [[customers, 'id']]),
    },
    {
      what: 'a query reading no table',
      scope: scope([]),
      query: query([], []),
    },
  ];
  for (const c of cases) {
    test(c.what, () => {
      const decision = narrowDecision(owner, c.query, c.scope);
      if (!c.refused) {
        assert.equal(decision.allowed, true);
        return;
      }
      assert.equal(decision.allowed, false);
      assert.equal(decision.refusal?.table.table, c.refused.table);
      assert.equal(decision.refusal?.column, c.refused.column);
      assert.equal(decision.refusal?.reason, "outside the agent's scope");
      assert.deepEqual(decision.tables, []);
    });
  }

  test("an owner's refusal stays a refusal, whatever the scope", () => {
    const refused: AccessDecision = {
      allowed: false,
      refusal: { table: customers, column: 'secret', reason: 'denied by grant g' },
      tables: [],
    };
    const everything = scope([{ table: 'lake.main.customers', columns: [] }]);
    assert.equal(narrowDecision(refused, query([customers], [[customers, 'secret']]), everything), refused);
  });

  test('columns outside the scope are projected as denied; the rest keep the owner’s access', () => {
    const decision = narrowDecision(
      owner,
      query([customers], [[customers, 'id']]),
      scope([{ table: 'lake.main.customers', columns: ['id', 'email', 'secret'] }]),
    );
    assert.deepEqual(
      decision.tables[0]?.columns.map((c) => [c.name, c.access]),
      [
        ['id', 'read'],
        ['name', 'denied'],
        ['email', 'masked'],
        ['secret', 'denied'],
      ],
    );
  });
});

describe('narrowExplanation', () => {
  const explanation = (columns: Record<string, ColumnAccess['access']>): TableExplanation => {
    const table = access(customers, columns);
    const deniedColumns = table.columns.filter((c) => c.access === 'denied').map((c) => c.name);
    return { ...table, readable: deniedColumns.length < table.columns.length, deniedColumns };
  };

  test('a table outside the scope is unreadable', () => {
    const narrowed = narrowExplanation(explanation({ id: 'read' }), scope([]));
    assert.equal(narrowed.readable, false);
    assert.deepEqual(narrowed.deniedColumns, ['id']);
  });

  test('only the scope’s columns the owner may read remain', () => {
    const narrowed = narrowExplanation(
      explanation({ id: 'read', name: 'read', secret: 'denied' }),
      scope([{ table: 'lake.main.customers', columns: ['id', 'secret'] }]),
    );
    assert.equal(narrowed.readable, true);
    assert.deepEqual(narrowed.deniedColumns, ['name', 'secret']);
  });

  test('a scope of only columns the owner may not read leaves nothing readable', () => {
    const narrowed = narrowExplanation(
      explanation({ id: 'read', secret: 'denied' }),
      scope([{ table: 'lake.main.customers', columns: ['secret'] }]),
    );
    assert.equal(narrowed.readable, false);
  });
});
