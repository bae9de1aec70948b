import {
  type AuditRecord__Input,
  type PolicyDocument__Input,
  type TableTags__Input,
  TributaryError,
  type User__Input,
  type Value,
  type Value__Input,
} from '@tributary/core';

// AdminService messages as plain JSON for the HTTP API: attributes are JSON
// scalars instead of `Value` messages, policy documents and audit before/after
// states are JSON values instead of JSON text, column tags are an object.
// Field names stay those of the proto (snake_case).

export type JsonBody = Record<string, unknown>;

/** The request body as an object, refusing fields the endpoint does not know (a typo must not be ignored). */
export function body(raw: unknown, allowed: readonly string[]): JsonBody {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw TributaryError.invalid('the body must be a JSON object');
  const unknown = Object.keys(raw).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw TributaryError.invalid(`unknown field ${unknown.join(', ')}; expected ${allowed.join(', ')}`);
  }
  return raw as JsonBody;
}

/** An optional string field: absent and null are both "not sent". */
export function optionalString(raw: unknown, field: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') throw TributaryError.invalid(`${field} must be a string`);
  return raw;
}

export function optionalBoolean(raw: unknown, field: string): boolean | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'boolean') throw TributaryError.invalid(`${field} must be true or false`);
  return raw;
}

export function stringArray(raw: unknown, field: string): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.some((item) => typeof item !== 'string')) {
    throw TributaryError.invalid(`${field} must be an array of strings`);
  }
  return raw as string[];
}

export function stringMap(raw: unknown, field: string): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (
    typeof raw !== 'object' ||
    Array.isArray(raw) ||
    Object.values(raw).some((v) => typeof v !== 'string')
  ) {
    throw TributaryError.invalid(`${field} must be an object of strings`);
  }
  return raw as Record<string, string>;
}

/** `{ "region": "EU", "clearance": 3 }` as proto Values. */
export function attributesFromJson(raw: unknown, field: string): Record<string, Value> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw TributaryError.invalid(`${field} must be an object`);
  const values: Record<string, Value> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string') values[key] = { kind: 'string_value', string_value: value };
    else if (typeof value === 'boolean') values[key] = { kind: 'bool_value', bool_value: value };
    else if (typeof value === 'number' && Number.isSafeInteger(value)) {
      values[key] = { kind: 'int_value', int_value: String(value) };
    } else if (typeof value === 'number') values[key] = { kind: 'double_value', double_value: value };
    else throw TributaryError.invalid(`${field}.${key} must be a string, number or boolean`);
  }
  return values;
}

function valueToJson(value: Value__Input): string | number | boolean | null {
  if (value.string_value !== undefined) return value.string_value;
  if (value.bool_value !== undefined) return value.bool_value;
  if (value.int_value !== undefined) return Number(value.int_value);
  if (value.double_value !== undefined) return Number(value.double_value);
  return null;
}

export function userJson(user: User__Input) {
  return {
    ...user,
    attributes: Object.fromEntries(
      Object.entries(user.attributes ?? {}).map(([k, v]) => [k, valueToJson(v)]),
    ),
  };
}

const parsed = (text: string | undefined) => (text ? (JSON.parse(text) as unknown) : null);

export function policyJson(policy: PolicyDocument__Input) {
  const { document_json, ...rest } = policy;
  return { ...rest, document: parsed(document_json) };
}

/** `{ "email": ["pii"] }` as ColumnTags messages. */
export function columnTagsFromJson(raw: unknown): { column: string; tags: string[] }[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw TributaryError.invalid('columns must be an object of column name → array of tags');
  }
  return Object.entries(raw).map(([column, tags]) => ({
    column,
    tags: stringArray(tags, `columns.${column}`),
  }));
}

export function tableTagsJson(tags: TableTags__Input) {
  return {
    ...tags,
    columns: Object.fromEntries((tags.columns ?? []).map((c) => [c.column ?? '', c.tags ?? []])),
  };
}

export function auditRecordJson(record: AuditRecord__Input) {
  if (!record.admin) return record;
  const { before_json, after_json, ...admin } = record.admin;
  return { ...record, admin: { ...admin, before: parsed(before_json), after: parsed(after_json) } };
}
