// Principal attributes as policies see them: `:user.<name>` in policy SQL
// and `unless: { attribute, op, value }` in tag rules. `subject` and `tenant`
// name the principal's own fields and take precedence over claims so named.

import type { Principal } from '../auth/principal.js';
import type { AttributeCondition } from './model.js';

export type AttributeValue = string | number | boolean;

/** The attribute's value, or undefined when the principal has none (or one that is not a scalar). */
export function attributeValue(principal: Principal, name: string): AttributeValue | undefined {
  if (name === 'subject') return principal.subject;
  if (name === 'tenant') return principal.tenant;
  if (!Object.hasOwn(principal.attributes, name)) return undefined;
  const value: unknown = principal.attributes[name];
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return undefined;
}

function asNumber(value: AttributeValue): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

function equal(a: AttributeValue, b: AttributeValue): boolean {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== undefined && y !== undefined) return x === y;
  return String(a) === String(b);
}

/**
 * Whether the principal satisfies the condition. A missing attribute never
 * does, whatever the operator: the rule it guards then applies (fail closed).
 * Numbers and numeric strings compare as numbers; ordering between
 * non-numeric values is never satisfied.
 */
export function conditionHolds(principal: Principal, condition: AttributeCondition): boolean {
  const actual = attributeValue(principal, condition.attribute);
  if (actual === undefined) return false;
  const expected = condition.value;
  if (condition.op === 'in') return Array.isArray(expected) && expected.some((item) => equal(actual, item));
  if (Array.isArray(expected)) return false;
  if (condition.op === '=') return equal(actual, expected);
  if (condition.op === '!=') return !equal(actual, expected);
  const x = asNumber(actual);
  const y = asNumber(expected);
  if (x === undefined || y === undefined) return false;
  switch (condition.op) {
    case '>':
      return x > y;
    case '>=':
      return x >= y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
  }
}
