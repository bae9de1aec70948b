import type { TableAccessInfo__Input } from '@tributary/core';
import type { TableAccess } from '../policy/index.js';

/** A table's access decision as ValidateQuery and ExplainAccess report it: what applies and why. */
export function accessInfo(access: TableAccess): TableAccessInfo__Input {
  return {
    table: access.table,
    columns: access.columns.map((c) => ({ name: c.name, access: c.access })),
    row_filtered: access.filter !== undefined,
    grants: access.applied.grants,
    filters: access.applied.filters,
    masks: access.applied.masks,
    protections: access.applied.protections,
    tag_rules: access.applied.tagRules,
  };
}
