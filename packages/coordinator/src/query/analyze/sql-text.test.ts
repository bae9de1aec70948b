import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isInstanceInvalidated } from './duckdb-errors.js';
import { parameterSqlType, placeholderSubstitute } from './parameters.js';
import {
  characterPosition,
  indexOfByteOffset,
  indexOfCodePointOffset,
  originalIndex,
  quoteIdentifier,
  scanSql,
  spliceText,
} from './sql-text.js';

// [sql, placeholders found as written, first word]
const SCANS: [string, string[], string | undefined][] = [
  ['SELECT $1, $2', ['$1', '$2'], 'SELECT'],
  ['select ?, ?', ['?', '?'], 'SELECT'],
  ['SELECT ?2, ?1', ['?2', '?1'], 'SELECT'],
  ["SELECT '$1', $2", ['$2'], 'SELECT'],
  ["SELECT 'it''s $1', $2", ['$2'], 'SELECT'],
  ["SELECT E'\\' $1', $2", ['$2'], 'SELECT'],
  ["SELECT e'\\\\', $1", ['$1'], 'SELECT'],
  ['SELECT "$1", "a""$2"', [], 'SELECT'],
  ['SELECT $$ $1 $$, $2', ['$2'], 'SELECT'],
  ['SELECT $tag$ $1 $other$ $tag$, $2', ['$2'], 'SELECT'],
  ['SELECT a$1 FROM t', [], 'SELECT'],
  ['SELECT $name', ['$name'], 'SELECT'],
  ['-- $1\nSELECT /* $2 /* nested $3 */ still $4 */ $5', ['$5'], 'SELECT'],
  ['  /* lead */ drop table x', [], 'DROP'],
  ['(SELECT 1)', [], '('],
  ['WITH x AS (SELECT $1) SELECT * FROM x', ['$1'], 'WITH'],
  ["'unterminated $1", [], undefined],
  ['SELECT 1.5e3, $1', ['$1'], 'SELECT'],
  ['', [], undefined],
];

describe('scanSql', () => {
  for (const [sql, placeholders, firstWord] of SCANS) {
    test(JSON.stringify(sql), () => {
      const scan = scanSql(sql);
      assert.deepEqual(
        scan.placeholders.map((p) => sql.slice(p.start, p.end)),
        placeholders,
      );
      assert.equal(scan.firstWord, firstWord);
    });
  }

  test('placeholder identifiers follow DuckDB: $n as written, ? numbered in order', () => {
    assert.deepEqual(
      scanSql('SELECT $2, $02, ?, ?, $x').placeholders.map((p) => [p.identifier, p.named]),
      [
        ['2', false],
        ['2', false],
        ['1', false],
        ['2', false],
        ['x', true],
      ],
    );
  });
});

describe('splicing and positions', () => {
  test('spliceText replaces tokens and maps positions back', () => {
    const sql = 'SELECT $1 + $2 FROM t';
    const tokens = scanSql(sql).placeholders;
    const { text, splices } = spliceText(sql, tokens, (i) => `<${i}...>`);
    assert.equal(text, 'SELECT <0...> + <1...> FROM t');
    assert.equal(originalIndex(splices, text.indexOf('FROM')), sql.indexOf('FROM'));
    assert.equal(originalIndex(splices, text.indexOf('<1')), sql.indexOf('$2'));
    assert.equal(originalIndex(splices, text.indexOf('1...')), sql.indexOf('$2'));
    assert.equal(originalIndex(splices, 3), 3);
  });

  test('byte and code point offsets become 1-based character positions', () => {
    const sql = "SELECT 'é😀', x";
    const index = indexOfByteOffset(sql, Buffer.byteLength("SELECT 'é😀', "));
    assert.equal(sql.slice(index), 'x');
    assert.equal(characterPosition(sql, index), [..."SELECT 'é😀', "].length + 1);
    assert.equal(indexOfCodePointOffset(sql, [..."SELECT 'é😀', "].length), index);
    assert.equal(characterPosition(sql, 0), 1);
  });

  test('quoteIdentifier doubles embedded quotes', () => {
    assert.equal(quoteIdentifier('a"b'), '"a""b"');
    assert.equal(quoteIdentifier('x"; DROP TABLE t; --'), '"x""; DROP TABLE t; --"');
  });
});

describe('parameters', () => {
  const TYPES: [Parameters<typeof parameterSqlType>[0], string | undefined][] = [
    [null, undefined],
    [true, 'BOOLEAN'],
    [1, 'BIGINT'],
    [2 ** 40, 'BIGINT'],
    [1.5, 'DOUBLE'],
    [5n, 'BIGINT'],
    [2n ** 70n, 'HUGEINT'],
    ['x', 'VARCHAR'],
    [new Uint8Array([1]), 'BLOB'],
  ];
  for (const [value, type] of TYPES) {
    test(`type of ${typeof value === 'bigint' ? `${value}n` : JSON.stringify(value)}`, () => {
      assert.equal(parameterSqlType(value), type);
    });
  }

  test('substitutes carry types, never values', () => {
    assert.equal(placeholderSubstitute("x'); DROP TABLE t; --", undefined), "(CAST('1' AS VARCHAR))");
    assert.equal(placeholderSubstitute(null, 'DATE'), '(CAST(NULL AS DATE))');
    assert.equal(placeholderSubstitute(undefined, undefined), '(CAST(NULL AS INTEGER))');
  });

  test('fatal DuckDB errors are recognised', () => {
    assert.ok(isInstanceInvalidated(new Error('FATAL Error: failed to allocate')));
    assert.ok(
      isInstanceInvalidated(new Error('Invalid Input Error: The database has been invalidated because …')),
    );
    assert.ok(!isInstanceInvalidated(new Error('Binder Error: column x not found')));
  });
});
