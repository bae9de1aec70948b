// Whole subqueries that can run at one edge. A CTE or a derived table
// whose tables all live on one source, that refers to nothing outside
// itself, and that reduces its rows (it aggregates or is DISTINCT), is
// sent to that source's edge whole: TPC-H Q15's `revenue` ships one row
// per supplier instead of a quarter of lineitem. One that does not reduce
// gains nothing over its tables' own fragments, which may take key filters.

import { sameName } from '../../policy/names.js';
import { isTableRef } from '../../policy/rewrite/table-refs.js';
import {
  arrayField,
  isJsonObject,
  type Json,
  type JsonObject,
  objectField,
  stringField,
} from '../analyze/json.js';
import { outputNames, resolveColumn, type Scope, type ScopeIndex } from './scopes.js';
import type { Unit } from './unit.js';

export interface Subtree {
  /** The object holding the statement: a CTE definition (`query`) or a derived table (`subquery`). */
  holder: JsonObject;
  key: 'query' | 'subquery';
  /** The statement's query node. */
  node: JsonObject;
  /** Its result columns, by name. */
  columns: string[];
  units: Unit[];
}

const AGGREGATES: ReadonlySet<string> = new Set([
  'sum',
  'count',
  'count_star',
  'avg',
  'mean',
  'min',
  'max',
  'any_value',
  'first',
  'last',
  'bool_and',
  'bool_or',
  'string_agg',
  'list',
  'array_agg',
]);

/** The outermost subtrees of `root` that may run whole at an edge. */
export function findSubtrees(root: Json, units: ReadonlyMap<JsonObject, Unit>, index: ScopeIndex): Subtree[] {
  const found: Subtree[] = [];
  const visit = (value: Json): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!isJsonObject(value) || units.has(value)) return;
    const candidate = asCandidate(value, units);
    if (candidate) {
      const subtree = check(candidate.holder, candidate.key, units, index);
      if (subtree) {
        found.push(subtree);
        return;
      }
    }
    for (const child of Object.values(value)) visit(child);
  };
  visit(root);
  return found;
}

function asCandidate(
  value: JsonObject,
  units: ReadonlyMap<JsonObject, Unit>,
): { holder: JsonObject; key: 'query' | 'subquery' } | undefined {
  // A CTE definition: `{ query: { node }, aliases, materialized }`.
  if (isJsonObject(value.query ?? null) && Array.isArray(value.aliases))
    return { holder: value, key: 'query' };
  if (isTableRef(value) && value.type === 'SUBQUERY' && !units.has(value))
    return { holder: value, key: 'subquery' };
  return undefined;
}

function check(
  holder: JsonObject,
  key: 'query' | 'subquery',
  units: ReadonlyMap<JsonObject, Unit>,
  index: ScopeIndex,
): Subtree | undefined {
  const statement = objectField(holder, key);
  const node = statement ? objectField(statement, 'node') : undefined;
  if (!statement || node?.type !== 'SELECT_NODE' || !reduces(node)) return undefined;
  const columns = outputNames(statement);
  if (!columns || new Set(columns.map((c) => c.toLowerCase())).size !== columns.length) return undefined;
  const inner: Unit[] = [];
  const scopes = new Set<Scope>();
  const refs: JsonObject[] = [];
  let refused = false;
  const walk = (value: Json): void => {
    if (refused) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (!isJsonObject(value)) return;
    const unit = units.get(value);
    if (unit) {
      inner.push(unit);
      return;
    }
    if (isTableRef(value) && value.type !== 'JOIN' && value.type !== 'SUBQUERY') {
      // A CTE of the enclosing query, a table function, VALUES…: not at the edge.
      if (value.type !== 'EMPTY') refused = true;
      return;
    }
    if (!Object.hasOwn(value, 'class') && value.type === 'SELECT_NODE') {
      const scope = index.scopes.get(value);
      if (!scope) refused = true;
      else scopes.add(scope);
    }
    if (value.class === 'COLUMN_REF') refs.push(value);
    for (const child of Object.values(value)) walk(child);
  };
  walk(node);
  if (refused || inner.length === 0) return undefined;
  const source = (inner[0] as Unit).table.source;
  if (!inner.every((unit) => sameName(unit.table.source, source))) return undefined;
  for (const ref of refs) {
    const resolved = resolveColumn(ref, index);
    if (resolved.kind === 'unknown' || !scopes.has(resolved.scope)) return undefined;
  }
  return { holder, key, node, columns, units: inner };
}

/** Whether a SELECT returns fewer rows than it reads: it groups, aggregates or is DISTINCT. */
function reduces(node: JsonObject): boolean {
  if (arrayField(node, 'group_expressions').length > 0) return true;
  if (arrayField(node, 'modifiers').some((m) => isJsonObject(m) && m.type === 'DISTINCT_MODIFIER'))
    return true;
  return hasAggregate(node.select_list ?? null);
}

/** Whether an expression calls an aggregate function (outside subqueries and windows). */
export function hasAggregate(value: Json): boolean {
  if (Array.isArray(value)) return value.some(hasAggregate);
  if (!isJsonObject(value) || value.class === 'SUBQUERY' || value.class === 'WINDOW') return false;
  if (value.class === 'FUNCTION' && AGGREGATES.has(stringField(value, 'function_name').toLowerCase()))
    return true;
  return Object.values(value).some((child) => typeof child === 'object' && hasAggregate(child));
}

/** Whether a parse-tree node calls an aggregate function. */
export function isAggregateCall(value: JsonObject): boolean {
  return value.class === 'FUNCTION' && AGGREGATES.has(stringField(value, 'function_name').toLowerCase());
}
