// The JSON DuckDB's serializers produce, walked without `any`.

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isJsonObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringField(object: JsonObject, key: string): string {
  const value = object[key];
  return typeof value === 'string' ? value : '';
}

export function objectField(object: JsonObject, key: string): JsonObject | undefined {
  const value = object[key];
  return isJsonObject(value) ? value : undefined;
}

export function arrayField(object: JsonObject, key: string): Json[] {
  const value = object[key];
  return Array.isArray(value) ? value : [];
}

/**
 * A 0-based byte offset from a serialized `query_location` or error
 * `position`; undefined when absent (DuckDB writes 2^64-1 for "unknown").
 */
export function byteOffset(value: Json | undefined): number | undefined {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 ? number : undefined;
}

/**
 * Calls `visit` on every object in the tree, parents first, with the key it
 * was found under; `skip` (by identity) leaves a subtree out.
 */
export function walkJson(
  value: Json,
  visit: (object: JsonObject, key: string | undefined) => void,
  skip?: Json,
): void {
  const stack: { value: Json; key: string | undefined }[] = [{ value, key: undefined }];
  while (stack.length > 0) {
    const { value: current, key } = stack.pop()!;
    if (skip !== undefined && current === skip) continue;
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i]!, key });
    } else if (isJsonObject(current)) {
      visit(current, key);
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [childKey, child] = entries[i]!;
        if (typeof child === 'object' && child !== null) stack.push({ value: child, key: childKey });
      }
    }
  }
}

/** Structural equality, ignoring `query_location` (positions differ after text substitution). */
export function sameTree(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => sameTree(item, b[i]!));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const keysA = Object.keys(a).filter((key) => key !== 'query_location');
    const keysB = Object.keys(b).filter((key) => key !== 'query_location');
    return (
      keysA.length === keysB.length &&
      keysA.every((key) => Object.hasOwn(b, key) && sameTree(a[key]!, b[key]!))
    );
  }
  return false;
}

/** A copy of the tree with every object for which `replace` returns a value swapped for it. */
export function mapTree(value: Json, replace: (object: JsonObject) => Json | undefined): Json {
  if (Array.isArray(value)) return value.map((item) => mapTree(item, replace));
  if (!isJsonObject(value)) return value;
  const replaced = replace(value);
  if (replaced !== undefined) return replaced;
  const copy: JsonObject = {};
  for (const [key, child] of Object.entries(value)) copy[key] = mapTree(child, replace);
  return copy;
}
