import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TributaryError } from '@tributary/core';
import { bindParameters, checkPlaceholders, declaredParameters } from './parameters.js';

const invalid = (pattern: RegExp) => (error: unknown) =>
  error instanceof TributaryError && error.code === 'INVALID_ARGUMENT' && pattern.test(error.message);

describe('saved query parameters', () => {
  const declared = declaredParameters([
    { name: 'status', type: 'string' },
    { name: 'min', type: 'integer', default: 0 },
    { name: 'since', type: 'date' },
  ]);
  const sql =
    "SELECT * FROM t WHERE status = $status AND n >= $min AND d >= $since AND note <> '$status' -- $min";

  test('names become positions in declaration order; values are bound, never spliced', () => {
    checkPlaceholders(sql, declared);
    const bound = bindParameters(sql, declared, { since: '2024-01-01', status: "x' OR 1=1 --" });
    assert.equal(
      bound.sql,
      "SELECT * FROM t WHERE status = $1 AND n >= $2 AND d >= $3 AND note <> '$status' -- $min",
    );
    assert.deepEqual(bound.params, ["x' OR 1=1 --", 0n, '2024-01-01']);
    assert.deepEqual(bindParameters(sql, declared, { status: 's', min: '42', since: '2024-02-29' }).params, [
      's',
      42n,
      '2024-02-29',
    ]);
  });

  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['missing', { status: 's' }, /missing parameter "since"/],
    ['wrong type', { status: 1, since: '2024-01-01' }, /"status" must be a string/],
    ['not an integer', { status: 's', min: 1.5, since: '2024-01-01' }, /"min" must be an integer/],
    [
      'too large',
      { status: 's', min: '9223372036854775808', since: '2024-01-01' },
      /"min" must be an integer/,
    ],
    ['bad date', { status: 's', since: '2024-13-01' }, /"since" must be a date/],
    ['null', { status: null, since: '2024-01-01' }, /"status" must be a string/],
    ['unknown', { status: 's', since: '2024-01-01', extra: 1 }, /unknown parameter "extra"/],
  ];
  for (const [what, values, message] of cases) {
    test(`refused: ${what}`, () => {
      assert.throws(() => bindParameters(sql, declared, values), invalid(message));
    });
  }

  test('declarations and the SQL must agree', () => {
    assert.throws(
      () => checkPlaceholders('SELECT $status, $other', declared),
      invalid(/\$other is not a declared/),
    );
    assert.throws(
      () => checkPlaceholders('SELECT $status, $min', declared),
      invalid(/"since" is declared but not used/),
    );
    assert.throws(() => checkPlaceholders('SELECT $1', []), invalid(/name their parameters/));
    assert.throws(() => declaredParameters([{ name: 'a', type: 'text' }]), invalid(/type must be one of/));
    assert.throws(() => declaredParameters([{ name: '1a', type: 'string' }]), invalid(/name must be/));
    assert.throws(
      () =>
        declaredParameters([
          { name: 'a', type: 'string' },
          { name: 'A', type: 'string' },
        ]),
      invalid(/declared twice/),
    );
    assert.throws(
      () => declaredParameters([{ name: 'a', type: 'integer', default: 'x' }]),
      invalid(/default must be/),
    );
    assert.throws(
      () => declaredParameters([{ name: 'a', type: 'string', secret: 1 }]),
      invalid(/unknown field/),
    );
  });
});
