// SELECT grants: deny by default; an allow covering a column makes it
// readable; a deny covering it (at source, schema, table or column level)
// wins over every allow.

import type { Principal } from '../auth/principal.js';
import type { CatalogTable, TableRef } from '../query/analyze/types.js';
import type { Grant } from './model.js';
import { sameName } from './names.js';

export function grantApplies(grant: Grant, principal: Principal): boolean {
  const to = grant.to;
  if ('role' in to) return principal.roles.includes(to.role);
  if ('group' in to) return principal.groups.includes(to.group);
  return principal.subject === to.user;
}

/** Whether the principal holds one of the roles or belongs to one of the groups. */
export function inRolesOrGroups(
  principal: Principal,
  names: { roles?: readonly string[]; groups?: readonly string[] } | undefined,
): boolean {
  if (names === undefined) return false;
  return (
    (names.roles?.some((role) => principal.roles.includes(role)) ?? false) ||
    (names.groups?.some((group) => principal.groups.includes(group)) ?? false)
  );
}

/** Whether the grant's `on` covers any column of the table. */
export function grantCoversTable(grant: Grant, table: TableRef): boolean {
  const on = grant.on;
  return (
    sameName(on.source, table.source) &&
    (on.schema === undefined || sameName(on.schema, table.schema)) &&
    (on.table === undefined || sameName(on.table, table.table))
  );
}

export function grantCoversColumn(grant: Grant, table: TableRef, column: string): boolean {
  if (!grantCoversTable(grant, table)) return false;
  const columns = grant.on.columns;
  return columns === undefined || columns.some((name) => sameName(name, column));
}

/** What the grants say about one column: the ids that allow and that deny it. */
export interface ColumnGrants {
  allowedBy: string[];
  deniedBy: string[];
}

/** Grants of the principal for each column of the table (keyed by catalog spelling), and every grant id that touched the table. */
export function columnGrants(
  grants: readonly Grant[],
  principal: Principal,
  table: CatalogTable,
): { columns: Map<string, ColumnGrants>; applied: string[] } {
  const relevant = grants.filter((grant) => grantApplies(grant, principal) && grantCoversTable(grant, table));
  const columns = new Map<string, ColumnGrants>();
  for (const column of table.columns) {
    const state: ColumnGrants = { allowedBy: [], deniedBy: [] };
    for (const grant of relevant) {
      if (!grantCoversColumn(grant, table, column.name)) continue;
      (grant.effect === 'deny' ? state.deniedBy : state.allowedBy).push(grant.id);
    }
    columns.set(column.name, state);
  }
  return { columns, applied: relevant.map((grant) => grant.id) };
}
