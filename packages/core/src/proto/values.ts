import { TributaryError } from '../errors/tributary-error.js';
import type { Value, Value__Input } from './types.js';

/** A query parameter as the engines bind it. */
export type SqlValue = null | boolean | number | bigint | string | Uint8Array;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function toProtoValue(value: SqlValue): Value__Input {
  if (value === null) return { null_value: true };
  switch (typeof value) {
    case 'boolean':
      return { bool_value: value };
    case 'bigint':
      if (value < INT64_MIN || value > INT64_MAX) {
        throw TributaryError.invalid(`integer parameter ${value} does not fit in 64 bits`);
      }
      return { int_value: value.toString() };
    case 'number':
      return Number.isSafeInteger(value) ? { int_value: String(value) } : { double_value: value };
    case 'string':
      return { string_value: value };
    default:
      return { bytes_value: value };
  }
}

export function fromProtoValue(value: Value): SqlValue {
  switch (value.kind) {
    case 'null_value':
    case undefined:
      return null;
    case 'bool_value':
      return Boolean(value.bool_value);
    case 'int_value':
      return BigInt(value.int_value ?? '0');
    case 'double_value':
      return Number(value.double_value);
    case 'string_value':
      return value.string_value ?? '';
    case 'bytes_value':
      return new Uint8Array(value.bytes_value ?? new Uint8Array());
  }
}
