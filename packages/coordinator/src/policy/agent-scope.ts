// An agent reads as its owner narrowed by the agent's own scope: the owner's
// decision first, then the scope's allow-list of tables and columns. The
// scope can only take access away — a column the owner may not read stays
// refused whatever the scope says.

import type { AnalyzedQuery, TableRef } from '../query/analyze/types.js';
import type { AccessDecision, TableAccess, TableExplanation } from './types.js';

/** The tables (and, optionally, columns) an agent may read; empty: nothing. */
export interface AgentScope {
  tables: readonly { table: string; columns: readonly string[] }[];
}

const OUTSIDE = "outside the agent's scope";

function key(ref: TableRef): string {
  return `${ref.source}.${ref.schema}.${ref.table}`.toLowerCase();
}

/** Per table: undefined when the scope does not name it, an empty set for every column, else the columns. */
function scopedColumns(scope: AgentScope, ref: TableRef): Set<string> | undefined {
  const wanted = key(ref);
  const entries = scope.tables.filter((t) => t.table.toLowerCase() === wanted);
  if (entries.length === 0) return undefined;
  // Several entries for one table widen each other within the scope (never beyond the owner's access).
  if (entries.some((e) => e.columns.length === 0)) return new Set();
  return new Set(entries.flatMap((e) => e.columns.map((c) => c.toLowerCase())));
}

function allowsColumn(columns: Set<string>, column: string): boolean {
  return columns.size === 0 || columns.has(column.toLowerCase());
}

/** `columns` undefined: the table is outside the scope and keeps no column. */
function narrowTable(access: TableAccess, columns: Set<string> | undefined): TableAccess {
  return {
    ...access,
    columns: access.columns.map((c) =>
      columns && allowsColumn(columns, c.name)
        ? c
        : { name: c.name, sqlType: c.sqlType, access: 'denied' as const },
    ),
  };
}

/** The owner's decision AND the agent's scope: a refusal names the first table or column outside it. */
export function narrowDecision(
  decision: AccessDecision,
  query: AnalyzedQuery,
  scope: AgentScope,
): AccessDecision {
  if (!decision.allowed) return decision;
  const refuse = (table: TableRef, column?: string): AccessDecision => ({
    allowed: false,
    refusal: { table, ...(column === undefined ? {} : { column }), reason: OUTSIDE },
    tables: [],
  });
  for (const table of query.tables) {
    if (scopedColumns(scope, table) === undefined) return refuse(table);
  }
  for (const used of query.columns) {
    const columns = scopedColumns(scope, used.table) as Set<string>;
    if (!allowsColumn(columns, used.column)) return refuse(used.table, used.column);
  }
  return {
    ...decision,
    tables: decision.tables.map((t) => narrowTable(t, scopedColumns(scope, t.table))),
  };
}

/** "What can this agent see in this table?" */
export function narrowExplanation(explanation: TableExplanation, scope: AgentScope): TableExplanation {
  const columns = scopedColumns(scope, explanation.table);
  if (columns === undefined) {
    return {
      ...explanation,
      readable: false,
      columns: explanation.columns.map((c) => ({ name: c.name, sqlType: c.sqlType, access: 'denied' })),
      deniedColumns: explanation.columns.map((c) => c.name),
    };
  }
  const narrowed = narrowTable(explanation, columns);
  const deniedColumns = narrowed.columns.filter((c) => c.access === 'denied').map((c) => c.name);
  return {
    ...explanation,
    ...narrowed,
    readable: explanation.readable && deniedColumns.length < narrowed.columns.length,
    deniedColumns,
  };
}
