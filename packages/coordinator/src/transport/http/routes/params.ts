import { type SqlValue, TributaryError } from '@tributary/core';

/** JSON parameters become typed values: integers bind as BIGINT, other numbers as DOUBLE. */
export function paramsFromJson(raw: unknown): SqlValue[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw TributaryError.invalid('params must be an array');
  return raw.map((value, index) => {
    if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw TributaryError.invalid(`params[${index}] is not a finite number`);
      return Number.isInteger(value) ? BigInt(value) : value;
    }
    throw TributaryError.invalid(`params[${index}] must be null, a boolean, a number or a string`);
  });
}

export function optionalInteger(raw: unknown, name: string, fallback: number): number {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw TributaryError.invalid(`${name} must be a non-negative integer`);
  }
  return value;
}

export function requireString(raw: unknown, name: string): string {
  if (typeof raw !== 'string' || raw === '') throw TributaryError.invalid(`${name} is required`);
  return raw;
}
