// Row filters: predicates over a table's columns that every query reading the
// table is held to. Filters that apply combine with AND.

import type { Principal } from '../auth/principal.js';
import type { TableRef } from '../query/analyze/types.js';
import { parseTableName, type RowFilter } from './model.js';
import { sameTable } from './names.js';

/** Applies to everyone unless `applies_to` narrows it; `exempt` roles escape it. */
export function filterApplies(filter: RowFilter, principal: Principal): boolean {
  if (filter.exempt?.roles.some((role) => principal.roles.includes(role))) return false;
  const audience = filter.applies_to;
  if (audience === undefined) return true;
  return (
    (audience.roles?.some((role) => principal.roles.includes(role)) ?? false) ||
    (audience.users?.includes(principal.subject) ?? false)
  );
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
