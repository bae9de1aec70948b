import { type SqlValue, TributaryError } from '@tributary/core';
import { scanSql, spliceText } from '../query/analyze/sql-text.js';
import type { SavedQueryParameter } from '../store/index.js';

// A saved query names its parameters in its SQL (`WHERE status = $status`)
// and declares each with a type. Executing it binds the caller's values as
// query parameters: the names become positional placeholders ($1, $2, … in
// declaration order) and values travel separately, never in the SQL text.

export const PARAMETER_TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'timestamp'] as const;
export const MAX_PARAMETERS = 100;

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;
const INTEGER = /^-?\d{1,19}$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

type ParameterType = SavedQueryParameter['type'];

/** `value` as the type, or undefined when it is not one. */
function coerce(type: ParameterType, value: unknown): SqlValue | undefined {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    case 'integer': {
      const text =
        typeof value === 'number' && Number.isSafeInteger(value)
          ? String(value)
          : typeof value === 'string' && INTEGER.test(value)
            ? value
            : undefined;
      if (text === undefined) return undefined;
      const big = BigInt(text);
      return big >= INT64_MIN && big <= INT64_MAX ? big : undefined;
    }
    case 'date':
      return typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value))
        ? value
        : undefined;
    case 'timestamp':
      return typeof value === 'string' &&
        TIMESTAMP.test(value) &&
        !Number.isNaN(Date.parse(value.replace(' ', 'T')))
        ? value
        : undefined;
  }
}

const TYPE_WORDS: Record<ParameterType, string> = {
  string: 'a string',
  integer: 'an integer (a JSON number or a string of digits, 64-bit)',
  number: 'a finite number',
  boolean: 'true or false',
  date: 'a date (YYYY-MM-DD)',
  timestamp: 'a timestamp (ISO 8601)',
};

/** Checks a declared parameter list as a client sent it. */
export function declaredParameters(raw: unknown): SavedQueryParameter[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw TributaryError.invalid('parameters must be an array');
  if (raw.length > MAX_PARAMETERS) throw TributaryError.invalid(`at most ${MAX_PARAMETERS} parameters`);
  const seen = new Set<string>();
  return raw.map((item, index) => {
    const field = `parameters[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw TributaryError.invalid(`${field} must be an object`);
    }
    const { name, type, description, default: fallback, ...rest } = item as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) {
      throw TributaryError.invalid(
        `${field} has unknown field ${unknown.join(', ')}; expected name, type, description, default`,
      );
    }
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw TributaryError.invalid(`${field}.name must be letters, digits and _, not starting with a digit`);
    }
    if (seen.has(name.toLowerCase())) throw TributaryError.invalid(`parameter "${name}" is declared twice`);
    seen.add(name.toLowerCase());
    if (!(PARAMETER_TYPES as readonly unknown[]).includes(type)) {
      throw TributaryError.invalid(`${field}.type must be one of ${PARAMETER_TYPES.join(', ')}`);
    }
    if (description !== undefined && (typeof description !== 'string' || description.length > 1_000)) {
      throw TributaryError.invalid(`${field}.description must be a string of at most 1000 characters`);
    }
    const parameter: SavedQueryParameter = { name, type: type as ParameterType };
    if (description) parameter.description = description;
    if (fallback !== undefined && fallback !== null) {
      if (coerce(parameter.type, fallback) === undefined || typeof fallback === 'object') {
        throw TributaryError.invalid(`${field}.default must be ${TYPE_WORDS[parameter.type]}`);
      }
      parameter.default = fallback as string | number | boolean;
    }
    return parameter;
  });
}

/**
 * Requires the SQL to use exactly the declared parameters, by name: each
 * `$name` declared and each declared parameter used; positional
 * placeholders (`$1`, `?`) are refused, as their meaning would be unclear.
 */
export function checkPlaceholders(sql: string, parameters: readonly SavedQueryParameter[]): void {
  const declared = new Map(parameters.map((p) => [p.name.toLowerCase(), p.name]));
  const used = new Set<string>();
  for (const token of scanSql(sql).placeholders) {
    if (!token.named) {
      throw TributaryError.invalid(
        `saved queries name their parameters ($name); found ${sql.slice(token.start, token.end)}`,
      );
    }
    const key = token.identifier.toLowerCase();
    if (!declared.has(key)) {
      throw TributaryError.invalid(`$${token.identifier} is not a declared parameter`, {
        parameter: token.identifier,
      });
    }
    used.add(key);
  }
  for (const [key, name] of declared) {
    if (!used.has(key))
      throw TributaryError.invalid(`parameter "${name}" is declared but not used in the SQL`);
  }
}

/**
 * The SQL with `$name` placeholders made positional, and the caller's values
 * (or defaults) checked against the declared types, in that order.
 */
export function bindParameters(
  sql: string,
  parameters: readonly SavedQueryParameter[],
  values: Record<string, unknown>,
): { sql: string; params: SqlValue[] } {
  const names = new Set(parameters.map((p) => p.name));
  for (const name of Object.keys(values)) {
    if (!names.has(name)) {
      throw TributaryError.invalid(`unknown parameter "${name}"`, {
        parameter: name,
        declared: parameters.map((p) => p.name),
      });
    }
  }
  const params = parameters.map((parameter) => {
    const given = Object.hasOwn(values, parameter.name) ? values[parameter.name] : parameter.default;
    if (given === undefined) {
      throw TributaryError.invalid(`missing parameter "${parameter.name}" (${parameter.type})`, {
        parameter: parameter.name,
      });
    }
    const value = coerce(parameter.type, given);
    if (value === undefined) {
      throw TributaryError.invalid(`parameter "${parameter.name}" must be ${TYPE_WORDS[parameter.type]}`, {
        parameter: parameter.name,
        type: parameter.type,
      });
    }
    return value;
  });
  return { sql: positionalSql(sql, parameters), params };
}

/** `$name` placeholders as `$1`, `$2`, … in declaration order. */
export function positionalSql(sql: string, parameters: readonly SavedQueryParameter[]): string {
  const byName = new Map(parameters.map((p, index) => [p.name.toLowerCase(), index]));
  const tokens = scanSql(sql).placeholders;
  return spliceText(sql, tokens, (index) => {
    const token = tokens[index];
    const position = token?.named ? byName.get(token.identifier.toLowerCase()) : undefined;
    if (position === undefined) throw TributaryError.invalid('the saved query uses an undeclared parameter');
    return `$${position + 1}`;
  }).text;
}
