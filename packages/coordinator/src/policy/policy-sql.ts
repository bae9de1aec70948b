// SQL written by administrators: row-filter predicates, protection conditions
// and mask expressions. Each is one scalar expression over one table's own
// columns, and may use the principal's attributes as `:user.<name>`.
//
// `:user.<name>` becomes a bound parameter, never pasted text. It is found
// token-aware by reusing the analyzer's lexer (sql-text.ts): every candidate
// is first swapped for a `$name` marker, and only markers the lexer reports
// as placeholders (outside literals, quoted identifiers and comments) are
// real; the others are put back as written. Admin SQL may hold no other
// placeholder, so it can never reach the caller's parameters.
//
// The tree checks here run twice: at load time on each snippet
// (load-policies.ts) and at rewrite time on the whole generated projection
// (rewrite/projection.ts).

import { TributaryError } from '@tributary/core';
import { isJsonObject, type Json, type JsonObject, stringField, walkJson } from '../query/analyze/json.js';
import { DENIED_SCALAR_FUNCTIONS } from '../query/analyze/parse-tree.js';
import { scanSql } from '../query/analyze/sql-text.js';
import { TABLE_REF_TYPES } from './rewrite/table-refs.js';

export type PolicySqlPart = string | { attribute: string };

/** Admin SQL with its `:user.<name>` references located. */
export interface CompiledPolicySql {
  parts: PolicySqlPart[];
  /** Distinct attribute names, in order of first use. */
  attributes: string[];
}

const CANDIDATE = /(?<![A-Za-z0-9_$:.]):user\.([A-Za-z_][A-Za-z0-9_]*)/g;
const MARKER = /^tributaryuserattr(\d+)$/;

/** Locates `:user.<name>` references; throws INVALID_ARGUMENT for placeholders of any other kind. */
export function compilePolicySql(sql: string): CompiledPolicySql {
  if (sql.includes('\u0000')) throw TributaryError.invalid('policy SQL contains a NUL character');
  const candidates = [...sql.matchAll(CANDIDATE)];
  let marked = '';
  let cursor = 0;
  const markerStarts = new Map<number, number>();
  candidates.forEach((match, i) => {
    marked += sql.slice(cursor, match.index);
    markerStarts.set(marked.length, i);
    marked += `$tributaryuserattr${i}`;
    cursor = match.index + match[0].length;
  });
  marked += sql.slice(cursor);

  const confirmed = new Set<number>();
  for (const token of scanSql(marked).placeholders) {
    const index = markerStarts.get(token.start);
    const marker = MARKER.exec(token.identifier);
    if (!token.named || index === undefined || !marker || Number(marker[1]) !== index) {
      throw TributaryError.invalid(
        'policy SQL may not contain parameter placeholders ($1, ?, $name); use :user.<attribute>',
      );
    }
    confirmed.add(index);
  }

  const parts: PolicySqlPart[] = [];
  const attributes: string[] = [];
  let text = '';
  cursor = 0;
  candidates.forEach((match, i) => {
    if (!confirmed.has(i)) return;
    text += sql.slice(cursor, match.index);
    if (text !== '') parts.push(text);
    text = '';
    const attribute = match[1]!;
    parts.push({ attribute });
    if (!attributes.includes(attribute)) attributes.push(attribute);
    cursor = match.index + match[0].length;
  });
  text += sql.slice(cursor);
  if (text !== '') parts.push(text);
  return { parts, attributes };
}

/** The SQL text with each attribute reference replaced by `placeholder(name)`. */
export function renderPolicySql(
  compiled: CompiledPolicySql,
  placeholder: (attribute: string) => string,
): string {
  return compiled.parts
    .map((part) => (typeof part === 'string' ? part : placeholder(part.attribute)))
    .join('');
}

/**
 * Admin SQL as an operand of generated SQL. Load-time checks guarantee it is
 * one complete expression; the parentheses keep it one, and the newline ends a
 * trailing `--` comment before the closing parenthesis.
 */
export function embedPolicySql(text: string): string {
  return `(${text}${text.includes('--') ? '\n' : ''})`;
}

const EXPRESSION_CLASSES: ReadonlySet<string> = new Set([
  'COLUMN_REF',
  'CONSTANT',
  'FUNCTION',
  'OPERATOR',
  'COMPARISON',
  'CONJUNCTION',
  'CASE',
  'CAST',
  'BETWEEN',
  'PARAMETER',
  'COLLATE',
]);

/** Types of parse-tree objects that read relations; none may appear in a policy expression. */
const RELATION_TYPES: ReadonlySet<string> = new Set([
  ...TABLE_REF_TYPES,
  'SELECT_NODE',
  'SET_OPERATION_NODE',
  'RECURSIVE_CTE_NODE',
  'CTE_NODE',
  'STATEMENT_NODE',
]);

export interface ExpressionRules {
  /** Lower-cased column names the expression may read; undefined skips the check (table not in the catalog). */
  columns: ReadonlySet<string> | undefined;
  /** Placeholders $1…$n the expression may use. */
  parameterCount: number;
  /** Lower-cased names of aggregate and window functions (they would change the row count or need a window). */
  aggregateFunctions: ReadonlySet<string>;
}

/**
 * The first reason the expression tree is not a plain scalar expression over
 * the table's own columns, or undefined. No subqueries, no table functions,
 * no other relations, no windows, no aggregates, no lambdas, no `*`, no
 * functions outside DuckDB's default schema, no placeholders but the policy's.
 */
export function expressionProblem(tree: Json, rules: ExpressionRules): string | undefined {
  let problem: string | undefined;
  walkJson(tree, (object) => {
    problem ??= objectProblem(object, rules);
  });
  return problem;
}

function objectProblem(object: JsonObject, rules: ExpressionRules): string | undefined {
  if (Object.hasOwn(object, 'subquery') || Object.hasOwn(object, 'node')) return 'subqueries are not allowed';
  if (RELATION_TYPES.has(stringField(object, 'type')))
    return 'table references and subqueries are not allowed';
  const expressionClass = object.class;
  if (expressionClass === undefined) return undefined;
  if (typeof expressionClass !== 'string' || !EXPRESSION_CLASSES.has(expressionClass)) {
    return `${String(expressionClass).toLowerCase().replaceAll('_', ' ')} expressions are not allowed`;
  }
  switch (expressionClass) {
    case 'COLUMN_REF':
      return columnProblem(object, rules);
    case 'PARAMETER': {
      const id = Number(stringField(object, 'identifier'));
      const ours = Number.isInteger(id) && id >= 1 && id <= rules.parameterCount;
      return ours ? undefined : 'parameter placeholders are not allowed';
    }
    case 'FUNCTION':
      return functionProblem(object, rules);
    default:
      return undefined;
  }
}

function columnProblem(object: JsonObject, rules: ExpressionRules): string | undefined {
  const names = object.column_names;
  const first = Array.isArray(names) ? names[0] : undefined;
  if (typeof first !== 'string') return 'unreadable column reference';
  if (rules.columns !== undefined && !rules.columns.has(first.toLowerCase())) {
    return `column ${first} is not a column of the table (only the table's own columns may be used)`;
  }
  return undefined;
}

function functionProblem(object: JsonObject, rules: ExpressionRules): string | undefined {
  const name = stringField(object, 'function_name').toLowerCase();
  const schema = stringField(object, 'schema').toLowerCase();
  if (stringField(object, 'catalog') !== '' || (schema !== '' && schema !== 'main')) {
    return `function ${name} must not be qualified`;
  }
  if (DENIED_SCALAR_FUNCTIONS.has(name)) return `function ${name} is not allowed`;
  if (rules.aggregateFunctions.has(name)) return `aggregate function ${name} is not allowed`;
  const orders = isJsonObject(object.order_bys) ? object.order_bys.orders : undefined;
  const aggregateModifiers =
    object.distinct === true ||
    object.export_state === true ||
    (object.filter !== null && object.filter !== undefined) ||
    (Array.isArray(orders) && orders.length > 0);
  return aggregateModifiers ? `aggregate modifiers on ${name} are not allowed` : undefined;
}
