// Runs one query through every way Tributary answers it and compares each
// answer with the reference DuckDB's.
import assert from 'node:assert/strict';
import type { TributaryClient } from '@tributary/client';
import type { RowObject } from '@tributary/core';
import { httpQuery, type QueryBody } from './assertions.js';
import {
  type CanonResult,
  canonFromArrow,
  canonFromJsonRows,
  canonFromReference,
  canonKey,
  sortRows,
} from './canonical.js';
import type { Cluster } from './cluster.js';
import type { Param, Reference, ReferenceResult } from './fixtures.js';

export interface ResultCase {
  name: string;
  sql: string;
  params?: Param[];
  /** True when the query fixes the row order (ORDER BY); otherwise rows are compared as a multiset. */
  ordered?: boolean;
  /** The number of rows the reference must return, so a fixture change cannot hollow the case out. */
  rows?: number;
}

export interface Answers {
  reference: ReferenceResult;
  expected: CanonResult;
  grpcArrow: CanonResult;
  grpcRows: RowObject[];
  http: QueryBody;
}

function sameRows(
  actual: CanonResult['rows'],
  expected: CanonResult['rows'],
  ordered: boolean,
  what: string,
) {
  assert.equal(actual.length, expected.length, `${what}: row count`);
  if (ordered) assert.deepEqual(actual, expected, `${what}: rows in order`);
  else assert.deepEqual(sortRows(actual), sortRows(expected), `${what}: rows (any order)`);
}

/**
 * gRPC as Arrow (names, types, nullability, exact values), gRPC as JSON-safe
 * rows, and HTTP JSON are each compared with DuckDB's own answer; the two
 * JSON renderings must also be identical.
 */
export async function assertMatchesReference(
  cluster: Cluster,
  client: TributaryClient,
  reference: Reference,
  c: ResultCase,
): Promise<Answers> {
  const params = c.params ?? [];
  const ordered = c.ordered ?? /\border\s+by\b/i.test(c.sql);
  const ref = await reference.query(c.sql, params);
  const expected = canonFromReference(ref);
  if (c.rows !== undefined)
    assert.equal(expected.rows.length, c.rows, 'reference row count (fixture sanity)');

  const table = await client.query(c.sql, { params }).toTable();
  const grpcArrow = canonFromArrow(table);
  assert.deepEqual(grpcArrow.names, expected.names, 'gRPC: column names');
  assert.deepEqual(grpcArrow.types, expected.types, 'gRPC: Arrow types');
  for (const field of table.schema.fields) assert.equal(field.nullable, true, `${field.name} is nullable`);
  sameRows(grpcArrow.rows, expected.rows, ordered, 'gRPC Arrow');

  const grpcRows = await client.query(c.sql, { params }).toArray();
  sameRows(canonFromJsonRows(grpcRows, ref), expected.rows, ordered, 'gRPC toArray()');

  const http = await httpQuery(cluster, c.sql, { params });
  sameRows(canonFromJsonRows(http.data, ref), expected.rows, ordered, 'HTTP JSON');
  assert.equal(http.metadata.row_count, expected.rows.length, 'HTTP metadata.row_count');
  if (ordered) assert.deepEqual(http.data, grpcRows, 'HTTP and gRPC rows are identical');
  else
    assert.deepEqual(
      [...http.data].map(canonKey).sort(),
      [...grpcRows].map(canonKey).sort(),
      'HTTP and gRPC rows are identical',
    );
  return { reference: ref, expected, grpcArrow, grpcRows, http };
}
