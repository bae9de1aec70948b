// Row-conditional protection: rows failing a condition (false or NULL) are
// skipped, or kept with some columns changed:
//
// | action    | text values (after any mask)            | other values                                   |
// |-----------|-----------------------------------------|------------------------------------------------|
// | skip      | the row is left out                     | the row is left out                            |
// | blank     | ''                                      | NULL                                           |
// | mask      | '***'                                   | NULL                                           |
// | randomize | random hex characters, same length      | integers 0–99, decimals below 10^min(p-s, 2),  |
// |           |                                         | floats [0, 100), booleans random; others NULL  |
//
// randomize is for test data: NULL stays NULL and text keeps its length.
// A column without `columns` listed means every column of the table.
// Protections wrap masks, so a randomized masked column is random over the
// masked value's length, never the stored one's.

import type { TableRef } from '../query/analyze/types.js';
import type { ValueSql } from './masks.js';
import { parseTableName, type RowProtection } from './model.js';
import { sameName, sameTable } from './names.js';
import { isTextType, numericShape } from './sql-types.js';

export function protectionsFor(protections: readonly RowProtection[], table: TableRef): RowProtection[] {
  return protections.filter((protection) => {
    const ref = parseTableName(protection.table);
    return ref !== undefined && sameTable(ref, table);
  });
}

export function protectsColumn(protection: RowProtection, column: string): boolean {
  return protection.action !== 'skip' && (protection.columns?.some((name) => sameName(name, column)) ?? true);
}

/** The value for rows that pass `condition` (already embedded SQL), and the action's value for the others. */
export function protectedValue(
  action: RowProtection['action'],
  condition: string,
  value: ValueSql,
): ValueSql {
  const text = isTextType(value.sqlType);
  switch (action) {
    case 'skip':
      return value;
    case 'blank':
      return {
        sql: `CASE WHEN ${condition} THEN ${value.sql} ELSE ${text ? "''" : 'NULL'} END`,
        sqlType: value.sqlType,
      };
    case 'mask':
      return {
        sql: `CASE WHEN ${condition} THEN ${value.sql} ELSE ${text ? "'***'" : 'NULL'} END`,
        sqlType: value.sqlType,
      };
    case 'randomize':
      return {
        sql: `CASE WHEN ${condition} THEN ${value.sql} WHEN ${value.sql} IS NULL THEN NULL ELSE ${randomValue(value)} END`,
        sqlType: value.sqlType,
      };
  }
}

function randomValue(value: ValueSql): string {
  if (isTextType(value.sqlType)) {
    const length = `length(${value.sql})`;
    return `left(repeat(md5(CAST(random() AS VARCHAR)), (${length} // 32) + 1), ${length})`;
  }
  const shape = numericShape(value.sqlType);
  switch (shape?.kind) {
    case 'integer':
      return `CAST(floor(random() * 100) AS ${value.sqlType})`;
    case 'decimal':
      return `CAST(floor(random() * ${10 ** Math.min(shape.precision - shape.scale, 2)}) AS ${value.sqlType})`;
    case 'float':
      return `CAST(random() * 100 AS ${value.sqlType})`;
    case 'boolean':
      return '(random() < 0.5)';
    default:
      return 'NULL';
  }
}
