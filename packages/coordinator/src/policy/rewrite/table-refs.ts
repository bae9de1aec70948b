// Base-table references in DuckDB's parse tree and what they name. A name
// with a catalog or schema part is a catalog table (`hr.employees` is
// hr.main.employees); DuckDB never matches a qualified name to a CTE. An
// unqualified name must be a CTE in scope: the analyzer binds queries where
// the default database is empty, so an unqualified name that is not a CTE
// never reaches here, and is treated as an error if it does.

import { type Json, type JsonObject, stringField } from '../../query/analyze/json.js';
import type { TableRef } from '../../query/analyze/types.js';

/** Parse-tree types of FROM items (table refs have a `type` and no `class`). */
export const TABLE_REF_TYPES: ReadonlySet<string> = new Set([
  'BASE_TABLE',
  'SUBQUERY',
  'JOIN',
  'TABLE_FUNCTION',
  'EXPRESSION_LIST',
  'EMPTY',
  'PIVOT',
  'SHOW_REF',
  'COLUMN_DATA',
  'DELIM_GET',
]);

export const isTableRef = (object: JsonObject): boolean =>
  !Object.hasOwn(object, 'class') && TABLE_REF_TYPES.has(stringField(object, 'type'));

export type BaseTableTarget =
  | { kind: 'cte'; name: string }
  | { kind: 'table'; ref: TableRef }
  | { kind: 'unknown'; written: string };

/** What a BASE_TABLE node names, given the CTE names in scope (lower-cased). */
export function baseTableTarget(node: JsonObject, ctes: ReadonlySet<string>): BaseTableTarget {
  const catalog = stringField(node, 'catalog_name');
  const schema = stringField(node, 'schema_name');
  const table = stringField(node, 'table_name');
  if (catalog === '' && schema === '') {
    return ctes.has(table.toLowerCase()) ? { kind: 'cte', name: table } : { kind: 'unknown', written: table };
  }
  if (catalog === '') return { kind: 'table', ref: { source: schema, schema: 'main', table } };
  return { kind: 'table', ref: { source: catalog, schema, table } };
}

function cteNames(object: JsonObject): string[] {
  const cteMap = object.cte_map;
  if (typeof cteMap !== 'object' || cteMap === null || Array.isArray(cteMap)) return [];
  const entries = cteMap.map;
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((entry) =>
    typeof entry === 'object' && entry !== null && !Array.isArray(entry)
      ? [stringField(entry, 'key').toLowerCase()]
      : [],
  );
}

/**
 * A copy of `tree` in which `visit` may replace table refs. `visit` sees
 * every table ref with the CTE names in scope there; returning a value
 * replaces the ref (and its subtree is not walked), undefined walks into it.
 * A WITH clause's names are in scope in the whole query node that holds it,
 * its own definitions included (a superset of DuckDB's rule, which is all
 * that is needed: scope only matters for unqualified names).
 */
export function mapTableRefs(
  tree: Json,
  visit: (ref: JsonObject, ctes: ReadonlySet<string>) => Json | undefined,
  ctes: ReadonlySet<string> = new Set(),
): Json {
  if (Array.isArray(tree)) return tree.map((item) => mapTableRefs(item, visit, ctes));
  if (typeof tree !== 'object' || tree === null) return tree;
  let scope = ctes;
  const names = cteNames(tree);
  if (names.length > 0) scope = new Set([...ctes, ...names]);
  if (isTableRef(tree)) {
    const replaced = visit(tree, scope);
    if (replaced !== undefined) return replaced;
  }
  const copy: JsonObject = {};
  for (const [key, child] of Object.entries(tree)) copy[key] = mapTableRefs(child, visit, scope);
  return copy;
}
