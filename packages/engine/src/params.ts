import type { DuckDBPreparedStatement } from '@duckdb/node-api';
import { type SqlValue, TributaryError } from '@tributary/core';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT128_MIN = -(2n ** 127n);
const INT128_MAX = 2n ** 127n - 1n;

/**
 * Binds `$1..$n` by the JS type of each value. Integral numbers bind as
 * BIGINT rather than INTEGER so that arithmetic on them does not overflow at
 * 32 bits; DuckDB casts a parameter to whatever its context needs.
 */
export function bindParameters(prepared: DuckDBPreparedStatement, params: readonly SqlValue[]): void {
  const expected = prepared.parameterCount;
  if (params.length !== expected) {
    throw TributaryError.invalid(`the query takes ${expected} parameter(s) but ${params.length} were given`, {
      expected,
      given: params.length,
    });
  }
  params.forEach((value, i) => {
    const index = i + 1;
    if (value === null) {
      prepared.bindNull(index);
      return;
    }
    switch (typeof value) {
      case 'boolean':
        prepared.bindBoolean(index, value);
        return;
      case 'bigint':
        if (value >= INT64_MIN && value <= INT64_MAX) prepared.bindBigInt(index, value);
        else if (value >= INT128_MIN && value <= INT128_MAX) prepared.bindHugeInt(index, value);
        else throw TributaryError.invalid(`parameter $${index} does not fit in 128 bits`);
        return;
      case 'number':
        if (Number.isSafeInteger(value)) prepared.bindBigInt(index, BigInt(value));
        else prepared.bindDouble(index, value);
        return;
      case 'string':
        prepared.bindVarchar(index, value);
        return;
      default:
        if (value instanceof Uint8Array) {
          prepared.bindBlob(index, value);
          return;
        }
        throw TributaryError.invalid(`parameter $${index} has an unsupported type`);
    }
  });
}

/**
 * The DuckDB type a parameter value is bound with by `bindParameters`;
 * undefined for NULL, which stays untyped. Analysis at the coordinator uses
 * the same rule, so the types it derives match what the edge executes.
 */
export function parameterSqlType(value: SqlValue): string | undefined {
  if (value === null) return undefined;
  switch (typeof value) {
    case 'boolean':
      return 'BOOLEAN';
    case 'number':
      return Number.isSafeInteger(value) ? 'BIGINT' : 'DOUBLE';
    case 'bigint':
      return value >= INT64_MIN && value <= INT64_MAX ? 'BIGINT' : 'HUGEINT';
    case 'string':
      return 'VARCHAR';
    default:
      return 'BLOB';
  }
}
