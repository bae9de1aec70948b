import { type DuckDBPreparedStatement, StatementType } from '@duckdb/node-api';
import { TributaryError } from '@tributary/core';
import type { Lease } from './pool.js';

/**
 * Prepares `sql` if, and only if, it is a single SELECT (which includes WITH,
 * VALUES, FROM-first queries, DESCRIBE/SHOW/SUMMARIZE and PIVOT … IN, all of
 * which DuckDB plans as SELECT). DuckDB's own statement type is the judge, so
 * no SQL is parsed here; lock-down is the second line of defence. Preparing
 * binds but does not execute, so a refused statement has had no effect.
 */
export async function prepareReadOnly(lease: Lease, sql: string): Promise<DuckDBPreparedStatement> {
  const keyword = firstKeyword(sql);
  if (keyword === null) throw TributaryError.invalid('the query is empty');
  // DuckDB turns read-only pragmas (`PRAGMA version`) into SELECTs; PRAGMA is refused as a class anyway.
  if (keyword === 'PRAGMA') throw refused('PRAGMA');
  // DuckDB refuses to prepare several statements at once (without running
  // any), which saves a separate extraction round-trip per query.
  let prepared: DuckDBPreparedStatement;
  try {
    prepared = await lease.run((connection) => connection.prepare(sql));
  } catch (error) {
    if (/Cannot prepare multiple statements/i.test((error as Error).message ?? '')) {
      throw TributaryError.invalid('exactly one statement is allowed');
    }
    throw error;
  }
  const type = prepared.statementType;
  if (type !== StatementType.SELECT) {
    prepared.destroySync();
    throw refused(StatementType[type] ?? String(type));
  }
  return prepared;
}

function refused(statementType: string): TributaryError {
  return TributaryError.invalid(`only read-only SELECT statements are allowed (got ${statementType})`, {
    statement_type: statementType,
  });
}

/**
 * The first word of `sql` after whitespace, comments and opening parentheses,
 * upper-cased; '' if something else comes first, null if nothing does
 * (semicolons count as nothing).
 */
export function firstKeyword(sql: string): string | null {
  let at = 0;
  while (at < sql.length) {
    const char = sql[at] as string;
    if (/[\s(;]/.test(char)) at++;
    else if (sql.startsWith('--', at)) at = lineEnd(sql, at);
    else if (sql.startsWith('/*', at)) {
      const close = sql.indexOf('*/', at + 2);
      at = close < 0 ? sql.length : close + 2;
    } else break;
  }
  if (at >= sql.length) return null;
  return (/^[A-Za-z_]+/.exec(sql.slice(at))?.[0] ?? '').toUpperCase();
}

function lineEnd(sql: string, from: number): number {
  const end = sql.indexOf('\n', from);
  return end < 0 ? sql.length : end + 1;
}
