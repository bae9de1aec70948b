// Column lineage from DuckDB's bound, unoptimized logical plan
// (json_serialize_plan without `optimize`). Every table scan (LOGICAL_GET of a
// table) lists in `column_indexes` each column the binder resolved against
// that table reference: select list, predicates, join conditions, USING,
// grouping, ordering, windows, correlated subqueries, `*` expansion. Without
// the optimizer nothing is pruned, pushed down or folded away, so a column
// named anywhere in the query is reported even when it cannot affect the
// result.
//
// The plan is also an allowlist: an operator this module does not know, a
// table function outside ALLOWED_TABLE_FUNCTIONS (also behind a view) or a
// scan of a table outside the catalog refuses the query.

import { TributaryError } from '@tributary/core';
import {
  arrayField,
  isJsonObject,
  type Json,
  type JsonObject,
  objectField,
  stringField,
  walkJson,
} from './json.js';
import { ALLOWED_TABLE_FUNCTIONS } from './parse-tree.js';
import type { ColumnRef, TableRef } from './types.js';

/** A table of the shadow catalog: canonical names and column names in table order. */
export interface ShadowTable {
  readonly ref: TableRef;
  readonly columnNames: readonly string[];
}

/** Looks a table up by name, case-insensitively as DuckDB does. */
export type ShadowTableLookup = (catalog: string, schema: string, table: string) => ShadowTable | undefined;

const QUERY_OPERATORS: ReadonlySet<string> = new Set([
  'LOGICAL_PROJECTION',
  'LOGICAL_FILTER',
  'LOGICAL_AGGREGATE_AND_GROUP_BY',
  'LOGICAL_WINDOW',
  'LOGICAL_UNNEST',
  'LOGICAL_LIMIT',
  'LOGICAL_ORDER_BY',
  'LOGICAL_TOP_N',
  'LOGICAL_DISTINCT',
  'LOGICAL_SAMPLE',
  'LOGICAL_PIVOT',
  'LOGICAL_GET',
  'LOGICAL_DELIM_GET',
  'LOGICAL_EXPRESSION_GET',
  'LOGICAL_DUMMY_SCAN',
  'LOGICAL_EMPTY_RESULT',
  'LOGICAL_CTE_REF',
  'LOGICAL_COMPARISON_JOIN',
  'LOGICAL_ANY_JOIN',
  'LOGICAL_DELIM_JOIN',
  'LOGICAL_CROSS_PRODUCT',
  'LOGICAL_POSITIONAL_JOIN',
  'LOGICAL_ASOF_JOIN',
  'LOGICAL_DEPENDENT_JOIN',
  'LOGICAL_UNION',
  'LOGICAL_EXCEPT',
  'LOGICAL_INTERSECT',
  'LOGICAL_RECURSIVE_CTE',
  'LOGICAL_MATERIALIZED_CTE',
]);

export interface Lineage {
  tables: TableRef[];
  columns: ColumnRef[];
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function compareTables(a: TableRef, b: TableRef): number {
  return compare(a.source, b.source) || compare(a.schema, b.schema) || compare(a.table, b.table);
}

/** Tables and columns read by the plans of one statement; throws for anything outside the allowlists. */
export function readLineage(plans: Json, lookup: ShadowTableLookup): Lineage {
  const tables = new Map<ShadowTable, Set<string>>();
  walkJson(plans, (object) => {
    const type = stringField(object, 'type');
    if (!type.startsWith('LOGICAL_')) return;
    if (!QUERY_OPERATORS.has(type)) {
      throw TributaryError.invalid(`unsupported query construct (${type.slice('LOGICAL_'.length)})`);
    }
    if (type === 'LOGICAL_GET') readScan(object, lookup, tables);
  });

  const tableRefs = [...tables.keys()].map((table) => table.ref).sort(compareTables);
  const columns: ColumnRef[] = [];
  for (const [table, names] of tables) {
    for (const column of names) columns.push({ table: table.ref, column });
  }
  columns.sort((a, b) => compareTables(a.table, b.table) || compare(a.column, b.column));
  return { tables: tableRefs, columns };
}

function readScan(get: JsonObject, lookup: ShadowTableLookup, tables: Map<ShadowTable, Set<string>>): void {
  const data = objectField(get, 'function_data');
  const scanned = data && typeof data.table === 'string' ? data : undefined;
  if (!scanned) {
    const name = stringField(get, 'name');
    if (!ALLOWED_TABLE_FUNCTIONS.has(name.toLowerCase())) {
      throw TributaryError.invalid(`table function ${name || '(unknown)'} is not allowed`, {
        function: name,
      });
    }
    return;
  }
  const catalog = stringField(scanned, 'catalog');
  const schema = stringField(scanned, 'schema');
  const name = stringField(scanned, 'table');
  const table = lookup(catalog, schema, name);
  if (!table) {
    const written = `${catalog}.${schema}.${name}`;
    throw TributaryError.invalid(`table ${written} is not part of the catalog`, { table: written });
  }
  const names = arrayField(get, 'names');
  if (
    names.length !== table.columnNames.length ||
    names.some((column, i) => column !== table.columnNames[i])
  ) {
    // The shadow table does not look like the catalog entry: never guess.
    throw new TributaryError('INTERNAL', 'shadow catalog out of step with the plan');
  }
  let read = tables.get(table);
  if (!read) {
    read = new Set();
    tables.set(table, read);
  }
  const columnIndexes = get.column_indexes;
  if (!Array.isArray(columnIndexes)) {
    // A plan shape this code does not know: reporting no columns would be a guess.
    throw new TributaryError('INTERNAL', 'table scan without column_indexes in the bound plan');
  }
  for (const entry of columnIndexes) {
    const index = isJsonObject(entry) ? entry.index : undefined;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
      throw new TributaryError('INTERNAL', 'unreadable column index in the bound plan');
    }
    // Indexes past the table's columns are virtual columns (rowid, or the
    // placeholder DuckDB scans for count(*)); they carry no column data.
    if (index < table.columnNames.length) read.add(table.columnNames[index]!);
  }
}
