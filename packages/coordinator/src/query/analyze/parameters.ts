// Placeholders during analysis. DuckDB cannot plan `SELECT $1` without knowing
// the type of $1 (json_serialize_plan fails with an internal error and a
// prepared statement reports an "unknown" result), so analysis replaces each
// placeholder with a NULL of the type the value will be bound with. Only the
// type travels into the analyzed text, never the value; and the substituted
// text is re-parsed and compared with the original parse tree, so a
// placeholder the scanner misplaced fails the analysis instead of skewing it.

import type { SqlValue } from '@tributary/core';
import { parameterSqlType } from '@tributary/engine';

/** The rule lives with the engine that binds the values, so analysis and execution agree. */
export { parameterSqlType };

/**
 * The text that stands in for a placeholder during analysis.
 *
 * - a value was given: a non-NULL constant of the value's type. Not NULL,
 *   because DuckDB's binder folds a function over a NULL constant into an
 *   untyped NULL and the result type would be lost; a real parameter is
 *   never folded that way.
 * - NULL was given, or no values at all (validation): a NULL of the type
 *   DuckDB infers for the placeholder (INTEGER when it cannot infer one).
 *
 * Only types (rendered by DuckDB) and the constant '1' enter the text, never
 * a client value.
 */
export function placeholderSubstitute(value: SqlValue | undefined, inferredType: string | undefined): string {
  const valueType = value === undefined ? undefined : parameterSqlType(value);
  if (valueType !== undefined) return `(CAST('1' AS ${valueType}))`;
  return `(CAST(NULL AS ${inferredType ?? 'INTEGER'}))`;
}

/** A short, stable description of the parameter types, for cache keys. */
export function parameterSignature(params: readonly SqlValue[] | undefined): string {
  if (params === undefined) return '*';
  return params.map((value) => parameterSqlType(value) ?? 'NULL').join(',');
}
