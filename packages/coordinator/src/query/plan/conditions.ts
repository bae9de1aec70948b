// Conditions in DuckDB's parse tree, taken apart and put back together.

import { arrayField, isJsonObject, type Json, type JsonObject } from '../analyze/json.js';

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
