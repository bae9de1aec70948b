// Catalog names compare as DuckDB resolves them: case-insensitively.

import type { CatalogTable, TableRef } from '../query/analyze/types.js';
import type { CatalogLookup } from './types.js';

export const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export function sameTable(a: TableRef, b: TableRef): boolean {
  return sameName(a.source, b.source) && sameName(a.schema, b.schema) && sameName(a.table, b.table);
}

/** A map key for a table, case-folded. */
export const tableKey = (ref: TableRef): string =>
  [ref.source, ref.schema, ref.table].map((part) => part.toLowerCase()).join('\u0000');

/** A CatalogLookup over a list of catalog tables, resolving names case-insensitively. */
export function catalogLookup(tables: readonly CatalogTable[]): CatalogLookup {
  const byKey = new Map<string, CatalogTable>();
  for (const table of tables) byKey.set(tableKey(table), table);
  return (ref) => byKey.get(tableKey(ref));
}
