// Playbook assertions: the grammar, and checks against results.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TributaryError } from '@tributary/core';
import { checkAssertion, parseAssertion } from './assertions.js';

const result = {
  rowCount: 2,
  columns: ['n', 'name', 'missing'],
  rows: [{ n: 5, name: "O'Brien", missing: null }],
};

describe('playbook assertions', () => {
  const holds: string[] = [
    'row_count > 0',
    'row_count = 2',
    'row_count == 2',
    'row_count <> 3',
    'n >= 5',
    'n < 5.5',
    "name = 'O''Brien'",
    'missing = null',
    'n != null',
  ];
  for (const text of holds)
    test(`holds: ${text}`, () => assert.equal(checkAssertion(text, result), undefined));

  const fails: [string, RegExp][] = [
    ['row_count > 2', /row_count is 2/],
    ['n = 4', /n is 5/],
    ['nope = 1', /no column nope/],
    ['missing > 0', /missing is null/],
  ];
  for (const [text, reason] of fails)
    test(`fails: ${text}`, () => assert.match(checkAssertion(text, result) ?? '', reason));

  test('an empty result has no first row', () => {
    assert.match(checkAssertion('n = 1', { rowCount: 0, columns: ['n'], rows: [] }) ?? '', /no rows/);
  });

  const invalid = ['', 'row_count', 'row_count > ', '1 = 1', 'n = 1; DROP TABLE t', 'n > null', "n = 'open"];
  for (const text of invalid) {
    test(`refused: ${JSON.stringify(text)}`, () => {
      assert.throws(
        () => parseAssertion(text),
        (error: unknown) => error instanceof TributaryError && error.code === 'INVALID_ARGUMENT',
      );
    });
  }
});
