// Row filters: predicates over a table's columns that every query reading the
// table is held to. Filters that apply combine with AND.

import type { Principal } from '../auth/principal.js';
import type { TableRef } from '../query/analyze/types.js';
import { inRolesOrGroups } from './grants.js';
import { parseTableName, type RowFilter } from './model.js';
import { sameTable } from './names.js';

/** Applies to everyone unless `applies_to` narrows it; `exempt` roles and groups escape it. */
export function filterApplies(filter: RowFilter, principal: Principal): boolean {
  if (inRolesOrGroups(principal, filter.exempt)) return false;
  const audience = filter.applies_to;
  if (audience === undefined) return true;
  return inRolesOrGroups(principal, audience) || (audience.users?.includes(principal.subject) ?? false);
}

export function applicableFilters(
  filters: readonly RowFilter[],
  principal: Principal,
  table: TableRef,
): RowFilter[] {
  return filters.filter((filter) => {
    const ref = parseTableName(filter.table);
    return ref !== undefined && sameTable(ref, table) && filterApplies(filter, principal);
  });
}
