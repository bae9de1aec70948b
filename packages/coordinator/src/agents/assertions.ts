// Playbook assertions: small checks on a step's result, e.g. `row_count > 0`
// or `late_orders = 0` (a column of the first row). Parsed once at save time
// and again at run time; the grammar is deliberately tiny so an assertion
// can never be code.

import { TributaryError } from '@tributary/core';

export type Comparison = '=' | '!=' | '<' | '<=' | '>' | '>=';

export interface Assertion {
  /** `row_count`, or a column of the first row. */
  subject: string;
  op: Comparison;
  expected: number | string | null;
}

const FORM =
  /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=|==|!=|<>|<=|>=|<|>)\s*(-?\d+(?:\.\d+)?|'(?:[^']|'')*'|null)\s*$/i;

export function parseAssertion(text: string, field = 'assertion'): Assertion {
  const match = FORM.exec(text);
  if (!match) {
    throw TributaryError.invalid(
      `${field}: ${JSON.stringify(text)} is not <row_count|column> <op> <number|'text'|null> (op: = != < <= > >=)`,
    );
  }
  const [, subject, rawOp, literal] = match as unknown as [string, string, string, string];
  const op = (rawOp === '==' ? '=' : rawOp === '<>' ? '!=' : rawOp) as Comparison;
  const expected =
    literal.toLowerCase() === 'null'
      ? null
      : literal.startsWith("'")
        ? literal.slice(1, -1).replaceAll("''", "'")
        : Number(literal);
  if (expected === null && op !== '=' && op !== '!=') {
    throw TributaryError.invalid(`${field}: null compares only with = or !=`);
  }
  return { subject, op, expected };
}

function compare(actual: unknown, op: Comparison, expected: number | string | null): boolean {
  if (expected === null) return op === '=' ? actual === null || actual === undefined : actual != null;
  if (actual === null || actual === undefined) return false;
  const left = typeof expected === 'number' ? Number(actual) : String(actual);
  if (typeof left === 'number' && Number.isNaN(left)) return false;
  switch (op) {
    case '=':
      return left === expected;
    case '!=':
      return left !== expected;
    case '<':
      return left < expected;
    case '<=':
      return left <= expected;
    case '>':
      return left > expected;
    case '>=':
      return left >= expected;
  }
}

/** Undefined when the assertion holds, else why it does not. */
export function checkAssertion(
  text: string,
  result: { rowCount: number; columns: string[]; rows: Record<string, unknown>[] },
): string | undefined {
  const assertion = parseAssertion(text);
  let actual: unknown;
  if (assertion.subject.toLowerCase() === 'row_count' && !result.columns.includes(assertion.subject)) {
    actual = result.rowCount;
  } else {
    if (!result.columns.includes(assertion.subject)) {
      return `assertion ${text}: the result has no column ${assertion.subject}`;
    }
    if (result.rows.length === 0) return `assertion ${text}: the result has no rows`;
    actual = result.rows[0]?.[assertion.subject];
  }
  if (compare(actual, assertion.op, assertion.expected)) return undefined;
  return `assertion ${text} failed: ${assertion.subject} is ${JSON.stringify(actual ?? null)}`;
}
