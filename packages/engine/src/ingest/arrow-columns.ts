// Arrow record batches → DuckDB data chunks, at the byte level. The
// `arrow` extension (which would scan IPC directly) is not linked into
// @duckdb/node-bindings and cannot be installed offline, and going through
// JS values (appendInteger, …) is several times slower, so fixed-width
// columns are copied as bytes with copy_data_to_vector: Arrow and DuckDB
// share the little-endian layout of integers, floats, DATE (int32 days),
// TIMESTAMP/TIME (int64) and the bit order of validity masks. Decimals are
// narrowed from 128 bits to DuckDB's storage width, booleans unpacked from
// bits to bytes, strings assigned one by one.

import duckdb from '@duckdb/node-bindings';
import { TributaryError } from '@tributary/core';
import {
  type Data,
  type DataType,
  type Decimal as DecimalType,
  type Field,
  type Timestamp as TimestampType,
  TimeUnit,
  Type,
} from 'apache-arrow';

/** DuckDB's column type for an Arrow field, or a refusal naming it. */
export function duckdbColumnType(field: Field): string {
  const type: DataType = field.type;
  switch (type.typeId) {
    case Type.Bool:
      return 'BOOLEAN';
    case Type.Int: {
      const { bitWidth, isSigned } = type as unknown as { bitWidth: number; isSigned: boolean };
      const name = { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' }[bitWidth];
      if (name) return isSigned ? name : `U${name}`;
      break;
    }
    case Type.Float: {
      const precision = (type as unknown as { precision: number }).precision;
      if (precision === 1) return 'FLOAT';
      if (precision === 2) return 'DOUBLE';
      break;
    }
    case Type.Decimal: {
      const { precision, scale, bitWidth } = type as DecimalType;
      if (bitWidth === 128 && precision >= 1 && precision <= 38) return `DECIMAL(${precision}, ${scale})`;
      break;
    }
    case Type.Utf8:
      return 'VARCHAR';
    case Type.Binary:
      return 'BLOB';
    case Type.Date:
      if ((type as unknown as { unit: number }).unit === 0) return 'DATE';
      break;
    case Type.Time: {
      const { unit, bitWidth } = type as unknown as { unit: TimeUnit; bitWidth: number };
      if (bitWidth === 64 && unit === TimeUnit.MICROSECOND) return 'TIME';
      if (bitWidth === 64 && unit === TimeUnit.NANOSECOND) return 'TIME_NS';
      break;
    }
    case Type.Timestamp: {
      const { unit, timezone } = type as TimestampType;
      if (timezone) {
        if (unit === TimeUnit.MICROSECOND) return 'TIMESTAMPTZ';
        break;
      }
      return {
        [TimeUnit.SECOND]: 'TIMESTAMP_S',
        [TimeUnit.MILLISECOND]: 'TIMESTAMP_MS',
        [TimeUnit.MICROSECOND]: 'TIMESTAMP',
        [TimeUnit.NANOSECOND]: 'TIMESTAMP_NS',
      }[unit];
    }
  }
  throw TributaryError.invalid(
    `column ${field.name} has type ${String(type)}, which a query spanning edges cannot carry yet`,
    { column: field.name, type: String(type) },
  );
}

type Writer = (vector: duckdb.Vector, data: Data, start: number, count: number) => void;

/** The writer for one column: copies rows [start, start+count) of `data` into a fresh vector. */
export function columnWriter(field: Field): Writer {
  const type = field.type;
  const base = writerFor(type);
  return (vector, data, start, count) => {
    base(vector, data, start, count);
    copyValidity(vector, data, start, count);
  };
}

function writerFor(type: DataType): Writer {
  switch (type.typeId) {
    case Type.Bool:
      return writeBool;
    case Type.Utf8:
    case Type.Binary:
      return writeVarBinary;
    case Type.Decimal: {
      const precision = (type as DecimalType).precision;
      if (precision <= 4) return narrowDecimal(1);
      if (precision <= 9) return narrowDecimal(1, 32);
      if (precision <= 18) return narrowDecimal(2);
      return fixedWidth(16);
    }
    default:
      return fixedWidth(byteWidth(type));
  }
}

function byteWidth(type: DataType): number {
  switch (type.typeId) {
    case Type.Int:
      return (type as unknown as { bitWidth: number }).bitWidth / 8;
    case Type.Float:
      return (type as unknown as { precision: number }).precision === 1 ? 4 : 8;
    case Type.Date:
      return 4;
    default:
      return 8; // Time64, Timestamp
  }
}

function fixedWidth(width: number): Writer {
  return (vector, data, start, count) => {
    const values = data.values as ArrayBufferView;
    const from = values.byteOffset + (data.offset + start) * width;
    duckdb.copy_data_to_vector(vector, 0, values.buffer as ArrayBuffer, from, count * width);
  };
}

/**
 * Decimal128 → DuckDB's narrower storage (int16/int32 for precision ≤ 4/9,
 * int64 for ≤ 18): the low words of a two's-complement 128-bit value are
 * the value itself when it fits, which the declared precision guarantees.
 */
function narrowDecimal(words: 1 | 2, bits?: 32): Writer {
  const int16 = words === 1 && bits === undefined;
  return (vector, data, start, count) => {
    const values = data.values as Uint32Array;
    const first = (data.offset + start) * 4;
    if (int16) {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = values[first + i * 4]! | 0;
      duckdb.copy_data_to_vector(vector, 0, out.buffer, 0, out.byteLength);
      return;
    }
    const out = new Uint32Array(count * words);
    for (let i = 0; i < count; i++) {
      out[i * words] = values[first + i * 4]!;
      if (words === 2) out[i * 2 + 1] = values[first + i * 4 + 1]!;
    }
    duckdb.copy_data_to_vector(vector, 0, out.buffer, 0, out.byteLength);
  };
}

function writeBool(vector: duckdb.Vector, data: Data, start: number, count: number): void {
  const bits = data.values as Uint8Array;
  const out = new Uint8Array(count);
  const first = data.offset + start;
  for (let i = 0; i < count; i++) {
    const at = first + i;
    out[i] = (bits[at >> 3]! >> (at & 7)) & 1;
  }
  duckdb.copy_data_to_vector(vector, 0, out.buffer, 0, count);
}

function writeVarBinary(vector: duckdb.Vector, data: Data, start: number, count: number): void {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const nulls = data.nullCount > 0 ? data.nullBitmap : undefined;
  const first = data.offset + start;
  for (let i = 0; i < count; i++) {
    const at = first + i;
    if (nulls && ((nulls[at >> 3]! >> (at & 7)) & 1) === 0) continue;
    duckdb.vector_assign_string_element_len(vector, i, bytes.subarray(offsets[at]!, offsets[at + 1]!));
  }
}

function copyValidity(vector: duckdb.Vector, data: Data, start: number, count: number): void {
  const bitmap = data.nullCount > 0 ? data.nullBitmap : undefined;
  if (!bitmap) return;
  duckdb.vector_ensure_validity_writable(vector);
  const first = data.offset + start;
  const bytes = Math.ceil(count / 8);
  if (first % 8 === 0) {
    duckdb.copy_data_to_vector_validity(
      vector,
      0,
      bitmap.buffer as ArrayBuffer,
      bitmap.byteOffset + first / 8,
      bytes,
    );
    return;
  }
  const out = new Uint8Array(bytes);
  for (let i = 0; i < count; i++) {
    const at = first + i;
    if ((bitmap[at >> 3]! >> (at & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
  }
  duckdb.copy_data_to_vector_validity(vector, 0, out.buffer, 0, bytes);
}
