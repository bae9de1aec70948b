import type { DuckDBResult } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { TributaryError } from '@tributary/core';

/** `DUCKDB_RESULT_TYPE_INVALID`: the C API's answer for a result that holds an error. */
const RESULT_TYPE_INVALID = 0;

/**
 * Whether a streamed result stopped because its query failed rather than
 * because it ran out of rows. `fetch_chunk` returns nothing in both cases and
 * the bindings do not expose `duckdb_result_error`, but
 * `duckdb_result_return_type` answers INVALID exactly when the result holds
 * an error — without this check a conversion or overflow error half-way
 * through would look like a complete, shorter result.
 */
export function streamFailed(result: DuckDBResult): boolean {
  // node-api keeps the native handle in a protected field; this is its only use.
  const native = (result as unknown as { result: duckdb.Result }).result;
  return duckdb.result_return_type(native) === RESULT_TYPE_INVALID;
}

export function failedMidStream(rows: number): TributaryError {
  return new TributaryError(
    'INVALID_ARGUMENT',
    `the query failed while producing its rows (after ${rows} rows), e.g. a conversion or overflow error in one of them; DuckDB reports no reason for a failure at this point`,
  );
}
