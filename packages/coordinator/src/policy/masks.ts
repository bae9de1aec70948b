// Column masks: SQL that replaces a column's value wherever a query uses it.
// Types are kept where the mask allows it:
//
// | kind          | text columns                          | other columns                                  |
// |---------------|---------------------------------------|------------------------------------------------|
// | redact        | `value` (default '***'), NULLs too    | TRY_CAST(value AS type), or NULL of the type    |
// | null          | NULL of the type                      | NULL of the type                               |
// | hash          | hex sha256(salt ‖ value) — VARCHAR    | the same over CAST(value AS VARCHAR): VARCHAR  |
// | partial       | keep_first/keep_last characters, the  | the same over CAST(value AS VARCHAR): VARCHAR  |
// |               | rest `fill` (default '*'); values no  |                                                |
// |               | longer than what is kept: all fill    |                                                |
// | email_domain  | '***@' + the part after the last '@'; | the same over CAST(value AS VARCHAR): VARCHAR  |
// |               | '***' when there is no '@'            |                                                |
// | expression    | the administrator's SQL, its own type | the administrator's SQL, its own type          |
//
// NULL stays NULL except for `redact` on text (which hides NULL-ness too).
// `hash` is salted per tenant and stable, so equal values still join and group.

import { quoteIdentifier } from '../query/analyze/sql-text.js';
import type { CatalogColumn } from '../query/analyze/types.js';
import type { MaskSpec } from './model.js';
import type { PolicyParams } from './params.js';
import { embedPolicySql } from './policy-sql.js';
import { castableType, isTextType } from './sql-types.js';

/** A mask that applies to a column, from a column mask or a tag rule. */
export interface MaskCandidate {
  id: string;
  origin: 'mask' | 'tagRule';
  spec: MaskSpec;
}

/** SQL for a column's value and its type (undefined when only DuckDB can tell: `expression`). */
export interface ValueSql {
  sql: string;
  sqlType: string | undefined;
}

const REVEALS: Record<MaskSpec['kind'], number> = {
  null: 0,
  redact: 1,
  hash: 2,
  email_domain: 3,
  partial: 3,
  expression: 4,
};

/**
 * When several masks apply to one column, the one revealing least wins
 * (null, redact, hash, then partial and email_domain, then expression); on a
 * tie, column masks before tag rules, each in policy-set order.
 */
export function leastRevealing(candidates: readonly MaskCandidate[]): MaskCandidate | undefined {
  let best: MaskCandidate | undefined;
  for (const candidate of candidates) {
    if (best === undefined || REVEALS[candidate.spec.kind] < REVEALS[best.spec.kind]) best = candidate;
  }
  return best;
}

export function maskSql(
  spec: MaskSpec,
  column: CatalogColumn,
  params: PolicyParams,
  adminSql: (sql: string) => string,
): ValueSql {
  const stored = quoteIdentifier(column.name);
  const type = castableType(column.sqlType);
  const text = isTextType(type);
  const asText = text ? stored : `CAST(${stored} AS VARCHAR)`;
  switch (spec.kind) {
    case 'redact':
      if (text) return { sql: `CAST(${params.text(spec.value ?? '***')} AS VARCHAR)`, sqlType: 'VARCHAR' };
      if (spec.value === undefined) return { sql: `CAST(NULL AS ${type})`, sqlType: type };
      return { sql: `TRY_CAST(CAST(${params.text(spec.value)} AS VARCHAR) AS ${type})`, sqlType: type };
    case 'null':
      return { sql: `CAST(NULL AS ${type})`, sqlType: type };
    case 'hash':
      return { sql: `sha256(CAST(${params.salt()} AS VARCHAR) || ${asText})`, sqlType: 'VARCHAR' };
    case 'partial': {
      const first = spec.keep_first ?? 0;
      const last = spec.keep_last ?? 0;
      const fill = `CAST(${params.text(spec.fill ?? '*')} AS VARCHAR)`;
      const length = `length(${asText})`;
      return {
        sql:
          `CASE WHEN ${length} <= ${first + last} THEN repeat(${fill}, ${length}) ` +
          `ELSE left(${asText}, ${first}) || repeat(${fill}, ${length} - ${first + last}) || right(${asText}, ${last}) END`,
        sqlType: 'VARCHAR',
      };
    }
    case 'email_domain':
      return {
        sql:
          `CASE WHEN ${asText} IS NULL THEN NULL WHEN contains(${asText}, '@') ` +
          `THEN '***@' || split_part(${asText}, '@', -1) ELSE '***' END`,
        sqlType: 'VARCHAR',
      };
    case 'expression':
      return { sql: embedPolicySql(adminSql(spec.sql)), sqlType: undefined };
  }
}
