import { randomBytes } from 'node:crypto';

// Conversions between DuckDB column values (as @duckdb/node-api's JS
// converter returns them) and store records.

/** A TIMESTAMP column (a Date) as epoch ms; undefined for NULL. */
export function optionalMillis(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'bigint' || typeof value === 'number') return Number(value);
  throw new Error(`not a timestamp: ${String(value)}`);
}

export function millis(value: unknown): number {
  const ms = optionalMillis(value);
  if (ms === undefined) throw new Error('unexpected NULL timestamp');
  return ms;
}

export function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

export function optionalText(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

/** A VARCHAR column holding JSON text written by the store itself. */
export function json<T>(value: unknown, fallback: T): T {
  if (typeof value !== 'string' || value === '') return fallback;
  return JSON.parse(value) as T;
}

export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** Record ids: a readable prefix and 96 random bits, e.g. `usr_3kq...`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
