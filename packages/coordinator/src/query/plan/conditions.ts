// Conditions in DuckDB's parse tree, taken apart and put back together.

import {
  arrayField,
  isJsonObject,
  type Json,
  type JsonObject,
  stringField,
  walkJson,
} from '../analyze/json.js';
import { isAggregateCall } from './subtrees.js';

/** Functions whose result changes from one call to the next: never moved or computed elsewhere. */
export const VOLATILE_FUNCTIONS: ReadonlySet<string> = new Set([
  'random',
  'gen_random_uuid',
  'uuid',
  'uuidv4',
  'uuidv7',
  'setseed',
  'nextval',
  'currval',
]);

/** The conjuncts of an AND tree (the expression itself when it is not an AND). */
export function conjuncts(expression: JsonObject): JsonObject[] {
  if (expression.class === 'CONJUNCTION' && expression.type === 'CONJUNCTION_AND') {
    return arrayField(expression, 'children').flatMap((child) =>
      isJsonObject(child) ? conjuncts(child) : [],
    );
  }
  return [expression];
}

/** The AND of `parts` (`and` is a parsed `true AND true`); null when there are none. */
export function conjunction(parts: readonly Json[], and: Json): Json {
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0] as Json;
  return { ...(structuredClone(and) as JsonObject), children: [...parts] };
}

/** What may not be computed anywhere but where it is written. */
const NOT_MOVABLE: ReadonlySet<string> = new Set([
  'SUBQUERY',
  'WINDOW',
  'LAMBDA',
  'LAMBDA_REF',
  'STAR',
  'PARAMETER',
]);

/**
 * The one owner (a table, a group) of every column `expression` reads, when
 * it may be computed where that owner lives: it reads at least one column,
 * and holds no subquery, window, lambda, star, placeholder, aggregate or
 * volatile function. `ownerOf` places a column, undefined when it cannot.
 */
export function soleOwner<T>(
  expression: JsonObject,
  ownerOf: (column: JsonObject) => T | undefined,
): T | undefined {
  let owner: T | undefined;
  let refused = false;
  walkJson(expression, (object) => {
    const cls = stringField(object, 'class');
    if (NOT_MOVABLE.has(cls) || isAggregateCall(object)) refused = true;
    if (cls === 'FUNCTION' && VOLATILE_FUNCTIONS.has(stringField(object, 'function_name').toLowerCase()))
      refused = true;
    if (cls !== 'COLUMN_REF' || refused) return;
    const found = ownerOf(object);
    if (found === undefined || (owner !== undefined && owner !== found)) refused = true;
    else owner = found;
  });
  return refused ? undefined : owner;
}
