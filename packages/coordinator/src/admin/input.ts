import { TributaryError, type Value } from '@tributary/core';
import type { Attributes, AttributeValue } from '../store/index.js';

// Checks of what admins send, with messages that name the field. The store
// trusts what reaches it; everything an admin can type is checked here.

const CONTROL = /\p{Cc}/u;
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const TAG = /^[A-Za-z0-9][A-Za-z0-9_:.-]{0,63}$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

export const MAX_PAGE_SIZE = 1_000;
const DEFAULT_PAGE_SIZE = 100;

export function text(raw: unknown, field: string, options: { max: number; required?: boolean }): string {
  const value = raw ?? '';
  if (typeof value !== 'string') throw TributaryError.invalid(`${field} must be a string`);
  if (options.required && value.trim() === '') throw TributaryError.invalid(`${field} is required`);
  if (value.length > options.max)
    throw TributaryError.invalid(`${field} is longer than ${options.max} characters`);
  if (CONTROL.test(value)) throw TributaryError.invalid(`${field} contains control characters`);
  return value;
}

export function subject(raw: unknown): string {
  return text(raw, 'subject', { max: 256, required: true });
}

export function email(raw: unknown): string {
  const value = text(raw, 'email', { max: 320 });
  if (value !== '' && !EMAIL.test(value)) throw TributaryError.invalid('email is not an email address');
  return value;
}

export function roleName(raw: unknown, field = 'role'): string {
  const value = text(raw, field, { max: 64, required: true });
  if (!NAME.test(value)) {
    throw TributaryError.invalid(
      `${field} "${value}" must be letters, digits, "_" or "-", starting with a letter`,
    );
  }
  return value;
}

export function roleNames(raw: readonly unknown[] | undefined, field: string): string[] {
  return [...new Set((raw ?? []).map((name) => roleName(name, field)))];
}

/** User ids (`usr_...`), deduplicated; whether they exist is the store's check. */
export function userIds(raw: readonly unknown[] | undefined, field: string): string[] {
  return [...new Set((raw ?? []).map((id) => text(id, field, { max: 256, required: true })))];
}

export function tagList(raw: readonly unknown[] | undefined, field: string): string[] {
  const tags = (raw ?? []).map((tag) => text(tag, field, { max: 64, required: true }));
  for (const tag of tags) {
    if (!TAG.test(tag))
      throw TributaryError.invalid(`${field} "${tag}" must be letters, digits, "_", ":", "." or "-"`);
  }
  return [...new Set(tags)].sort();
}

export function keyName(raw: unknown, field: string): string {
  const value = text(raw, field, { max: 64, required: true });
  if (!KEY.test(value))
    throw TributaryError.invalid(`${field} "${value}" must be letters, digits, "_", "." or "-"`);
  return value;
}

/** A proto Value as an attribute: a string, a finite number or a boolean. */
export function attributeValue(value: Value | undefined, field: string): AttributeValue {
  switch (value?.kind) {
    case 'string_value':
      return text(value.string_value, field, { max: 1_024 });
    case 'bool_value':
      return Boolean(value.bool_value);
    case 'int_value': {
      const number = Number(value.int_value);
      if (!Number.isSafeInteger(number))
        throw TributaryError.invalid(`${field} is outside the safe integer range`);
      return number;
    }
    case 'double_value': {
      const number = Number(value.double_value);
      if (!Number.isFinite(number)) throw TributaryError.invalid(`${field} must be a finite number`);
      return number;
    }
    default:
      throw TributaryError.invalid(`${field} must be a string, number or boolean`);
  }
}

export function attributes(raw: Record<string, Value> | undefined, field: string): Attributes {
  const entries = Object.entries(raw ?? {});
  if (entries.length > 64) throw TributaryError.invalid(`${field} has more than 64 entries`);
  const result: Attributes = {};
  for (const [key, value] of entries) {
    result[keyName(key, `${field} key`)] = attributeValue(value, `${field}.${key}`);
  }
  return result;
}

export function settings(raw: Record<string, string> | undefined): Record<string, string> {
  const entries = Object.entries(raw ?? {});
  if (entries.length > 100) throw TributaryError.invalid('set_settings has more than 100 entries');
  const result: Record<string, string> = {};
  for (const [key, value] of entries) {
    result[keyName(key, 'setting')] = text(value, `setting ${key}`, { max: 4_096 });
  }
  return result;
}

/** An RFC 3339 time as epoch ms; undefined when empty. */
export function time(raw: unknown, field: string): number | undefined {
  const value = text(raw, field, { max: 64 });
  if (value === '') return undefined;
  // Date.parse accepts more than RFC 3339 and reads a time without a zone as
  // the server's local time; requiring the full form keeps both out.
  const ms = RFC3339.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms))
    throw TributaryError.invalid(`${field} must be an RFC 3339 time, e.g. 2025-01-31T12:00:00Z`);
  return ms;
}

export function pageSize(raw: unknown): number {
  const value = Number(raw ?? 0) || DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw TributaryError.invalid(`page_size must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return value;
}

export function required(raw: unknown, field: string): string {
  return text(raw, field, { max: 256, required: true });
}
