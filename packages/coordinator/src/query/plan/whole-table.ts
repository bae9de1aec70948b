import { arrayField, isJsonObject, type JsonObject, objectField } from '../analyze/json.js';
import type { Fragment } from './split.js';

/**
 * Whether a fragment ships every row of its one table, as plain columns: no
 * condition at any level (the query's, the policies' row filters), no
 * sample, limit, aggregation or computed column. Its keys are then all the
 * values the table's column holds. A partner joined to that column by a
 * foreign key (the usual reason to join on it) holds no other value, so
 * filtering it by them would remove nothing and is not worth waiting for;
 * where it does hold others the join still removes them, only later.
 * Anything else may ship fewer rows, and is assumed to.
 */
export function readsWholeTable(fragment: Fragment): boolean {
  if (fragment.members) return false;
  let node: JsonObject | undefined = fragment.tree;
  while (node) {
    if (node.type !== 'SELECT_NODE' || !unconditional(node)) return false;
    const from = objectField(node, 'from_table');
    if (!from || (from.sample ?? null) !== null) return false;
    if (from.type === 'BASE_TABLE') return true;
    if (from.type !== 'SUBQUERY') return false;
    node = objectField(objectField(from, 'subquery') ?? {}, 'node');
  }
  return false;
}

function unconditional(node: JsonObject): boolean {
  const absent = (field: string) => (node[field] ?? null) === null;
  return (
    arrayField(node, 'select_list').every((item) => isJsonObject(item) && item.class === 'COLUMN_REF') &&
    absent('where_clause') &&
    absent('having') &&
    absent('qualify') &&
    (node.sample ?? null) === null &&
    arrayField(node, 'group_expressions').length === 0 &&
    arrayField(node, 'modifiers').every(
      (modifier) => isJsonObject(modifier) && modifier.type === 'DISTINCT_MODIFIER',
    )
  );
}
