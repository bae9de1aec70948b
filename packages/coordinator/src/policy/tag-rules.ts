// Attribute-based rules over tags: "columns tagged pii are masked unless
// user.clearance >= 3". A tag on a table applies to each of its columns.
// Tags compare case-insensitively, so `PII` and `pii` are one tag.

import type { Principal } from '../auth/principal.js';
import type { TableRef } from '../query/analyze/types.js';
import { conditionHolds } from './attributes.js';
import { parseTableName, type TagAssignment, type TagRule } from './model.js';
import { sameName, sameTable } from './names.js';

/** Lower-cased tags of a column, including its table's. */
export function columnTags(tags: readonly TagAssignment[], table: TableRef, column: string): Set<string> {
  const found = new Set<string>();
  for (const assignment of tags) {
    const ref = parseTableName(assignment.table);
    if (!ref || !sameTable(ref, table)) continue;
    if (assignment.column !== undefined && !sameName(assignment.column, column)) continue;
    for (const tag of assignment.tags) found.add(tag.toLowerCase());
  }
  return found;
}

/** The rules that apply to the principal for a column with these tags (their `unless` does not hold). */
export function applicableTagRules(
  rules: readonly TagRule[],
  principal: Principal,
  tags: ReadonlySet<string>,
): TagRule[] {
  return rules.filter(
    (rule) =>
      tags.has(rule.tag.toLowerCase()) &&
      !(rule.unless !== undefined && conditionHolds(principal, rule.unless)),
  );
}
