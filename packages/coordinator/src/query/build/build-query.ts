// BuildQuery: a structured request becomes one SELECT over one catalog table.
// Identifiers are always double-quoted (quotes inside doubled) and spelled as
// in the catalog; every filter value becomes a `$n` parameter and never part
// of the SQL text. LIMIT and OFFSET are integers this module validated and
// printed itself. The result is ordinary SQL: it goes through analysis and
// policy like any client query.

import type { BuildQueryRequest__Input, Filter__Input, Value__Input } from '@tributary/core';
import { TributaryError } from '@tributary/core';
import { type CatalogColumn, type CatalogTable, quoteIdentifier, quoteTableName } from '../analyze/index.js';

export const MAX_LIMIT = 1_000_000;
/** Parameters one built query may carry (IN lists included). */
export const MAX_PARAMETERS = 10_000;

export interface BuiltQuery {
  sql: string;
  /** Bound to $1, $2, … in order; each holds exactly one value field (and its `kind`). */
  params: Value__Input[];
}

/** FilterOperator by proto number. */
const OPERATORS = [
  'FILTER_OPERATOR_UNSPECIFIED',
  'EQ',
  'NE',
  'LT',
  'LE',
  'GT',
  'GE',
  'IN',
  'NOT_IN',
  'LIKE',
  'ILIKE',
  'IS_NULL',
  'IS_NOT_NULL',
  'BETWEEN',
] as const;
type Operator = (typeof OPERATORS)[number];

const COMPARISONS: Partial<Record<Operator, string>> = {
  EQ: '=',
  NE: '<>',
  LT: '<',
  LE: '<=',
  GT: '>',
  GE: '>=',
};

const VALUE_KINDS = [
  'null_value',
  'bool_value',
  'int_value',
  'double_value',
  'string_value',
  'bytes_value',
] as const;
type ValueKind = (typeof VALUE_KINDS)[number];

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Types a string value is cast to: plain names, optionally with numeric arguments (DECIMAL(18,2)). */
const CASTABLE_TYPE = /^[A-Za-z][A-Za-z0-9_]*(?: [A-Za-z][A-Za-z0-9_]*)*(?:\(\s*\d+\s*(?:,\s*\d+\s*)?\))?$/;
const TEXT_TYPE = /^(?:VARCHAR|TEXT|STRING|CHAR|BPCHAR)(?:\(\s*\d+\s*\))?$/i;

function operatorOf(op: Filter__Input['op'], where: string): Operator {
  if (op === undefined || op === null) throw TributaryError.invalid(`${where}: filter operator is required`);
  const name = typeof op === 'number' ? OPERATORS[op] : op;
  if (name === undefined || !(OPERATORS as readonly string[]).includes(name)) {
    throw TributaryError.invalid(`${where}: unknown filter operator ${String(op)}`);
  }
  if (name === 'FILTER_OPERATOR_UNSPECIFIED')
    throw TributaryError.invalid(`${where}: filter operator is required`);
  return name as Operator;
}

/** An int64 from a number, a decimal string or a Long; undefined and '' read as 0. */
function int64Of(value: unknown, where: string): bigint {
  if (value === undefined || value === null || value === '') return 0n;
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw TributaryError.invalid(`${where} must be an integer`);
    text = String(value);
  } else if (typeof value === 'bigint') {
    text = value.toString();
  } else if (typeof value === 'string' || (typeof value === 'object' && 'low' in value && 'high' in value)) {
    text = String(value).trim();
  } else {
    throw TributaryError.invalid(`${where} must be an integer`);
  }
  if (!/^-?\d+$/.test(text)) throw TributaryError.invalid(`${where} must be an integer`);
  const result = BigInt(text);
  if (result < INT64_MIN || result > INT64_MAX)
    throw TributaryError.invalid(`${where} does not fit in 64 bits`);
  return result;
}

interface NormalizedValue {
  kind: ValueKind;
  value: Value__Input;
}

/** The one value a proto Value holds, in a canonical shape. */
function normalizeValue(value: Value__Input | undefined, where: string): NormalizedValue {
  if (typeof value !== 'object' || value === null) throw TributaryError.invalid(`${where}: not a value`);
  const present = VALUE_KINDS.filter((kind) => value[kind] !== undefined && value[kind] !== null);
  const declared = value.kind !== undefined && present.includes(value.kind) ? value.kind : undefined;
  if (!declared && present.length > 1) throw TributaryError.invalid(`${where}: more than one value is set`);
  const kind = declared ?? present[0];
  switch (kind) {
    case undefined:
      throw TributaryError.invalid(`${where}: no value is set`);
    case 'null_value':
      return { kind, value: { kind, null_value: true } };
    case 'bool_value':
      return { kind, value: { kind, bool_value: Boolean(value.bool_value) } };
    case 'int_value':
      return { kind, value: { kind, int_value: int64Of(value.int_value, where).toString() } };
    case 'double_value': {
      const number = typeof value.double_value === 'number' ? value.double_value : Number(value.double_value);
      if (
        typeof value.double_value === 'string' &&
        (value.double_value.trim() === '' || Number.isNaN(number))
      ) {
        if (!/^\s*(?:NaN|[+-]?Infinity)\s*$/.test(value.double_value)) {
          throw TributaryError.invalid(`${where}: double_value is not a number`);
        }
      }
      return { kind, value: { kind, double_value: number } };
    }
    case 'string_value':
      if (typeof value.string_value !== 'string')
        throw TributaryError.invalid(`${where}: string_value is not text`);
      return { kind, value: { kind, string_value: value.string_value } };
    case 'bytes_value':
      return { kind, value: { kind, bytes_value: value.bytes_value! } };
  }
  throw TributaryError.invalid(`${where}: unknown value kind`);
}

/** Finds a catalog column: exact spelling first, else the one whose name differs only in case. */
function columnOf(table: CatalogTable, name: unknown, where: string): CatalogColumn {
  if (typeof name !== 'string' || name === '')
    throw TributaryError.invalid(`${where}: column name is required`);
  const exact = table.columns.find((column) => column.name === name);
  if (exact) return exact;
  const folded = table.columns.filter((column) => column.name.toLowerCase() === name.toLowerCase());
  if (folded.length === 1) return folded[0]!;
  const qualified = `${table.source}.${table.schema}.${table.table}`;
  if (folded.length > 1)
    throw TributaryError.invalid(`${where}: column name ${name} is ambiguous in ${qualified}`);
  throw TributaryError.invalid(`${where}: column ${name} not found in ${qualified}`, { column: name });
}

function listOf<T>(value: T[] | undefined | null, where: string): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw TributaryError.invalid(`${where} must be a list`);
  return value;
}

/**
 * Turns a BuildQueryRequest into SQL and parameters. The caller resolves
 * `request.table` through the catalog and passes the table, whose columns
 * every name in the request must match (case-insensitively).
 *
 * - `columns` empty: every column of the table, in catalog order.
 * - filters are combined with AND; a string value compared with a column of
 *   another simple type (DATE, TIMESTAMP, DECIMAL(18,2), …) is cast to it, so
 *   dates and decimals can be sent as text.
 * - `limit` 0 means no LIMIT (proto default); otherwise 1…1,000,000.
 *   `offset` 0 means none.
 */
export function buildQuery(request: BuildQueryRequest__Input, table: CatalogTable): BuiltQuery {
  if (typeof request !== 'object' || request === null) throw TributaryError.invalid('request is required');
  const params: Value__Input[] = [];
  const bind = (value: Value__Input): string => {
    if (params.length >= MAX_PARAMETERS) {
      throw TributaryError.invalid(`a built query takes at most ${MAX_PARAMETERS} values`);
    }
    params.push(value);
    return `$${params.length}`;
  };

  // SELECT list
  const requested = listOf(request.columns, 'columns');
  const selected =
    requested.length === 0
      ? table.columns
      : requested.map((name, i) => columnOf(table, name, `columns[${i}]`));
  const seen = new Set<string>();
  for (const column of selected) {
    if (seen.has(column.name)) throw TributaryError.invalid(`column ${column.name} is listed twice`);
    seen.add(column.name);
  }
  if (selected.length === 0) throw TributaryError.invalid('the table has no columns');

  // WHERE
  const predicates = listOf(request.filters, 'filters').map((filter, i) => {
    const where = `filters[${i}]`;
    if (typeof filter !== 'object' || filter === null) throw TributaryError.invalid(`${where}: not a filter`);
    const column = columnOf(table, filter.column, `${where}.column`);
    const op = operatorOf(filter.op, `${where}.op`);
    const values = listOf(filter.values, `${where}.values`).map((value, j) =>
      normalizeValue(value, `${where}.values[${j}]`),
    );
    return predicate(column, op, values, where, bind);
  });

  // ORDER BY
  const orderings = listOf(request.order_by, 'order_by').map((order, i) => {
    if (typeof order !== 'object' || order === null)
      throw TributaryError.invalid(`order_by[${i}]: not an ordering`);
    const column = columnOf(table, order.column, `order_by[${i}].column`);
    return `${quoteIdentifier(column.name)} ${order.descending ? 'DESC' : 'ASC'}`;
  });

  // LIMIT / OFFSET
  const limit = int64Of(request.limit, 'limit');
  const offset = int64Of(request.offset, 'offset');
  if (limit < 0n) throw TributaryError.invalid('limit must not be negative');
  if (limit > BigInt(MAX_LIMIT)) throw TributaryError.invalid(`limit must be at most ${MAX_LIMIT}`);
  if (offset < 0n) throw TributaryError.invalid('offset must not be negative');

  let sql = `SELECT ${selected.map((column) => quoteIdentifier(column.name)).join(', ')} FROM ${quoteTableName(table)}`;
  if (predicates.length > 0) sql += ` WHERE ${predicates.join(' AND ')}`;
  if (orderings.length > 0) sql += ` ORDER BY ${orderings.join(', ')}`;
  if (limit > 0n) sql += ` LIMIT ${limit}`;
  if (offset > 0n) sql += ` OFFSET ${offset}`;
  return { sql, params };
}

function predicate(
  column: CatalogColumn,
  op: Operator,
  values: NormalizedValue[],
  where: string,
  bind: (value: Value__Input) => string,
): string {
  const target = quoteIdentifier(column.name);
  const arity = (expected: number, description: string): void => {
    if (values.length !== expected) {
      throw TributaryError.invalid(`${where}: ${op} takes ${description}; got ${values.length}`);
    }
  };
  const noNulls = (): void => {
    if (values.some((value) => value.kind === 'null_value')) {
      throw TributaryError.invalid(`${where}: ${op} cannot compare with NULL; use IS_NULL or IS_NOT_NULL`);
    }
  };
  // A string compared with a DATE, TIMESTAMP, DECIMAL, … column is read as that type.
  const placeholder = (value: NormalizedValue): string => {
    const slot = bind(value.value);
    const cast =
      value.kind === 'string_value' && CASTABLE_TYPE.test(column.sqlType) && !TEXT_TYPE.test(column.sqlType);
    return cast ? `CAST(${slot} AS ${column.sqlType})` : slot;
  };

  switch (op) {
    case 'IS_NULL':
    case 'IS_NOT_NULL':
      arity(0, 'no values');
      return `${target} ${op === 'IS_NULL' ? 'IS NULL' : 'IS NOT NULL'}`;
    case 'LIKE':
    case 'ILIKE':
      arity(1, 'one value');
      if (values[0]!.kind !== 'string_value')
        throw TributaryError.invalid(`${where}: ${op} takes a string pattern`);
      return `${target} ${op} ${bind(values[0]!.value)}`;
    case 'BETWEEN':
      arity(2, 'two values');
      noNulls();
      return `${target} BETWEEN ${placeholder(values[0]!)} AND ${placeholder(values[1]!)}`;
    case 'IN':
    case 'NOT_IN':
      if (values.length === 0) throw TributaryError.invalid(`${where}: ${op} takes at least one value`);
      noNulls();
      return `${target} ${op === 'IN' ? 'IN' : 'NOT IN'} (${values.map(placeholder).join(', ')})`;
    default: {
      const comparison = COMPARISONS[op];
      if (!comparison) throw TributaryError.invalid(`${where}: unknown filter operator ${op}`);
      arity(1, 'one value');
      noNulls();
      return `${target} ${comparison} ${placeholder(values[0]!)}`;
    }
  }
}
