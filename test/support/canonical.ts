// One comparable form for a query result, whichever way it was obtained:
//
//   - from the reference DuckDB (its own value objects),
//   - from Arrow record batches (read from the raw buffers, not through
//     apache-arrow's lossy `get` for timestamps and decimals, and not through
//     the project's JSON encoder, which is under test),
//   - from JSON rows (HTTP and the SDK's `toArray()`), interpreted with the
//     column types the reference reports.
//
// Canonical values: integers → bigint; HUGEINT and DECIMAL → exact decimal
// text (HUGEINT travels as Decimal128(38, 0)); floats → number; text → string;
// BLOB → base64; DATE → 'YYYY-MM-DD'; TIMESTAMP[TZ] → ISO 8601 UTC with
// exactly six fraction digits; LIST → array; STRUCT → object; NULL → null.
import { type DuckDBType, DuckDBTypeId, type DuckDBValue } from '@duckdb/node-api';
import { type Data, type DataType, type Field, type Schema, type Table, Type } from 'apache-arrow';
import type { ReferenceResult } from './fixtures.js';

export type Canon = null | boolean | number | bigint | string | Canon[] | { [key: string]: Canon };

export interface CanonResult {
  names: string[];
  /** Arrow types as `describeArrowType` prints them. */
  types: string[];
  rows: Canon[][];
}

// ---------------------------------------------------------------- formatting

export function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const whole = scale > 0 ? digits.slice(0, -scale) : digits;
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${digits.slice(-scale)}` : ''}`;
}

export function dateFromDays(days: number): string {
  // DuckDB's ±infinity dates are the int32 extremes, beyond what a JS Date holds.
  if (Math.abs(days) >= 2_147_483_647) return days > 0 ? 'infinity' : '-infinity';
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

/** Floor division that rounds towards negative infinity, for instants before 1970. */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

export function isoFromMicros(micros: bigint): string {
  if (micros >= 9_223_372_036_854_775_807n || micros <= -9_223_372_036_854_775_807n)
    return micros > 0n ? 'infinity' : '-infinity';
  const millis = floorDiv(micros, 1000n);
  const sub = micros - millis * 1000n;
  const base = new Date(Number(millis)).toISOString(); // …SS.mmmZ
  return `${base.slice(0, -1)}${sub.toString().padStart(3, '0')}Z`;
}

const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Parses an ISO 8601 date-time (any fraction length; `Z`, an offset, or —
 * for a naive TIMESTAMP, which names no instant — no zone at all, read as
 * UTC wall-clock time) to epoch microseconds.
 */
export function microsFromIso(text: string, requireZone: boolean): bigint {
  const match = ISO_DATE_TIME.exec(text);
  if (!match) throw new Error(`not an ISO 8601 date-time: ${JSON.stringify(text)}`);
  const [, base, fraction = '', zone = ''] = match;
  if (requireZone && zone === '') throw new Error(`an instant needs a zone: ${JSON.stringify(text)}`);
  const seconds = BigInt(Date.parse(`${base}Z`) / 1000);
  const micros = BigInt(fraction.padEnd(6, '0').slice(0, 6));
  let offset = 0n;
  if (zone !== 'Z' && zone !== '') {
    const sign = zone.startsWith('-') ? -1n : 1n;
    const [h, m] = zone.slice(1).split(':').map(BigInt) as [bigint, bigint];
    offset = sign * (h * 3600n + m * 60n);
  }
  return (seconds - offset) * 1_000_000n + micros;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

// --------------------------------------------------------------- Arrow types

const UNIT_NAMES = ['s', 'ms', 'us', 'ns'];

/** A short, complete description of an Arrow type (time zone and child names included). */
export function describeArrowType(type: DataType): string {
  const t = type as DataType & Record<string, unknown>;
  switch (type.typeId) {
    case Type.Int:
      return `${t.isSigned ? 'Int' : 'Uint'}${t.bitWidth}`;
    case Type.Float:
      return ['Float16', 'Float32', 'Float64'][t.precision as number] as string;
    case Type.Decimal:
      return `Decimal${t.bitWidth}(${t.precision},${t.scale})`;
    case Type.Date:
      return t.unit === 0 ? 'Date32' : 'Date64';
    case Type.Timestamp:
      return `Timestamp(${UNIT_NAMES[t.unit as number]}${t.timezone ? `, ${t.timezone}` : ''})`;
    case Type.Time:
      return `Time${t.bitWidth}(${UNIT_NAMES[t.unit as number]})`;
    case Type.List:
      return `List<${describeField(type.children[0] as Field)}>`;
    case Type.FixedSizeList:
      return `FixedSizeList[${t.listSize}]<${describeField(type.children[0] as Field)}>`;
    case Type.Struct:
      return `Struct<${type.children.map((f: Field) => describeField(f)).join(', ')}>`;
    case Type.Map:
      return `Map<${describeField(type.children[0] as Field)}>`;
    case Type.Utf8:
      return 'Utf8';
    case Type.Binary:
      return 'Binary';
    case Type.Bool:
      return 'Bool';
    case Type.Null:
      return 'Null';
    default:
      return `${Type[type.typeId]}`;
  }
}

function describeField(field: Field): string {
  return `${field.name}: ${describeArrowType(field.type)}`;
}

/** The Arrow type the engine documents for a DuckDB type (packages/engine/src/index.ts), described the same way. */
export function expectedArrowType(type: DuckDBType): string {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'Bool';
    case DuckDBTypeId.TINYINT:
      return 'Int8';
    case DuckDBTypeId.SMALLINT:
      return 'Int16';
    case DuckDBTypeId.INTEGER:
      return 'Int32';
    case DuckDBTypeId.BIGINT:
      return 'Int64';
    case DuckDBTypeId.UTINYINT:
      return 'Uint8';
    case DuckDBTypeId.USMALLINT:
      return 'Uint16';
    case DuckDBTypeId.UINTEGER:
      return 'Uint32';
    case DuckDBTypeId.UBIGINT:
      return 'Uint64';
    case DuckDBTypeId.HUGEINT:
      return 'Decimal128(38,0)';
    case DuckDBTypeId.FLOAT:
      return 'Float32';
    case DuckDBTypeId.DOUBLE:
      return 'Float64';
    case DuckDBTypeId.DECIMAL:
      return `Decimal128(${type.width},${type.scale})`;
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.UUID:
    case DuckDBTypeId.ENUM:
      return 'Utf8';
    case DuckDBTypeId.BLOB:
      return 'Binary';
    case DuckDBTypeId.DATE:
      return 'Date32';
    case DuckDBTypeId.TIME:
      return 'Time64(us)';
    case DuckDBTypeId.TIMESTAMP:
      return 'Timestamp(us)';
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'Timestamp(us, UTC)';
    case DuckDBTypeId.LIST:
      return `List<item: ${expectedArrowType(type.valueType)}>`;
    case DuckDBTypeId.ARRAY:
      return `FixedSizeList[${type.length}]<item: ${expectedArrowType(type.valueType)}>`;
    case DuckDBTypeId.STRUCT:
      return `Struct<${type.entryNames.map((name, i) => `${name}: ${expectedArrowType(type.entryTypes[i] as DuckDBType)}`).join(', ')}>`;
    case DuckDBTypeId.MAP:
      return `Map<entries: Struct<key: ${expectedArrowType(type.keyType)}, value: ${expectedArrowType(type.valueType)}>>`;
    case DuckDBTypeId.SQLNULL:
      return 'Null';
    default:
      throw new Error(`no documented Arrow type for ${type.toString()}`);
  }
}

// -------------------------------------------------------- from the reference

export function canonFromDuckDB(value: DuckDBValue, type: DuckDBType): Canon {
  if (value === null) return null;
  const v = value as unknown as Record<string, unknown>;
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
    case DuckDBTypeId.VARCHAR:
      return value as boolean | string;
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
      return BigInt(value as number | bigint);
    case DuckDBTypeId.HUGEINT:
      return (value as bigint).toString();
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return value as number;
    case DuckDBTypeId.DECIMAL:
      return decimalText(v.value as bigint, type.scale);
    case DuckDBTypeId.UUID:
    case DuckDBTypeId.ENUM:
      return String(value);
    case DuckDBTypeId.BLOB:
      return base64(v.bytes as Uint8Array);
    case DuckDBTypeId.DATE:
      return dateFromDays(v.days as number);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return isoFromMicros(v.micros as bigint);
    case DuckDBTypeId.TIME:
      return v.micros as bigint;
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return (v.items as DuckDBValue[]).map((item) => canonFromDuckDB(item, type.valueType));
    case DuckDBTypeId.STRUCT: {
      const entries = v.entries as Record<string, DuckDBValue>;
      return Object.fromEntries(
        type.entryNames.map((name, i) => [
          name,
          canonFromDuckDB(entries[name] ?? null, type.entryTypes[i] as DuckDBType),
        ]),
      );
    }
    case DuckDBTypeId.MAP:
      return (v.entries as { key: DuckDBValue; value: DuckDBValue }[]).map((entry) => ({
        key: canonFromDuckDB(entry.key, type.keyType),
        value: canonFromDuckDB(entry.value, type.valueType),
      }));
    case DuckDBTypeId.SQLNULL:
      return null;
    default:
      throw new Error(`canonFromDuckDB: unsupported type ${type.toString()}`);
  }
}

export function canonFromReference(result: ReferenceResult): CanonResult {
  return {
    names: result.names,
    types: result.types.map(expectedArrowType),
    rows: result.rows.map((row) =>
      row.map((value, i) => canonFromDuckDB(value, result.types[i] as DuckDBType)),
    ),
  };
}

// ------------------------------------------------------------ from Arrow data

const utf8 = new TextDecoder('utf-8', { fatal: true });

function offsetsAt(data: Data, index: number): [number, number] {
  const offsets = data.valueOffsets as unknown as ArrayLike<number | bigint>;
  return [Number(offsets[index]), Number(offsets[index + 1])];
}

function int128(words: ArrayLike<number>, at: number): bigint {
  let value = 0n;
  for (let i = 3; i >= 0; i--) value = (value << 32n) | BigInt((words[at + i] as number) >>> 0);
  return value >= 1n << 127n ? value - (1n << 128n) : value;
}

/** One value of an Arrow array, read from its buffers. */
export function canonFromArrowData(data: Data, index: number): Canon {
  if (!data.getValid(index)) return null;
  const type = data.type as DataType & Record<string, unknown>;
  const values = data.values as unknown as ArrayLike<number | bigint> & Uint8Array;
  switch (type.typeId) {
    case Type.Null:
      return null;
    case Type.Bool: {
      const bit = data.offset + index;
      return ((values[bit >> 3] as number) & (1 << (bit % 8))) !== 0;
    }
    case Type.Int:
      return BigInt(values[index] as number | bigint);
    case Type.Float:
      return values[index] as number;
    case Type.Decimal:
      return decimalText(int128(values as ArrayLike<number>, index * 4), type.scale as number);
    case Type.Utf8: {
      const [begin, end] = offsetsAt(data, index);
      return utf8.decode(values.subarray(begin, end));
    }
    case Type.Binary: {
      const [begin, end] = offsetsAt(data, index);
      return base64(values.subarray(begin, end));
    }
    case Type.Date:
      return dateFromDays(values[index] as number);
    case Type.Timestamp: {
      const raw = BigInt(values[index] as unknown as bigint);
      const unit = type.unit as number;
      const micros =
        unit === 0 ? raw * 1_000_000n : unit === 1 ? raw * 1000n : unit === 2 ? raw : raw / 1000n;
      return isoFromMicros(micros);
    }
    case Type.Time:
      return BigInt(values[index] as number | bigint);
    case Type.Interval: {
      // MonthDayNano: int32 months, int32 days, int64 nanoseconds.
      const words = values as unknown as Int32Array;
      const nanos = new BigInt64Array(words.buffer, words.byteOffset + index * 16 + 8, 1)[0] as bigint;
      return `${words[index * 4]} months ${words[index * 4 + 1]} days ${nanos} ns`;
    }
    case Type.List: {
      const [begin, end] = offsetsAt(data, index);
      const child = data.children[0] as Data;
      return Array.from({ length: end - begin }, (_, i) => canonFromArrowData(child, begin + i));
    }
    case Type.FixedSizeList: {
      const size = type.listSize as number;
      const child = data.children[0] as Data;
      return Array.from({ length: size }, (_, i) => canonFromArrowData(child, index * size + i));
    }
    case Type.Struct:
      return Object.fromEntries(
        type.children.map((field: Field, i: number) => [
          field.name,
          canonFromArrowData(data.children[i] as Data, index),
        ]),
      );
    case Type.Map: {
      const [begin, end] = offsetsAt(data, index);
      const entries = data.children[0] as Data;
      return Array.from({ length: end - begin }, (_, i) => ({
        key: canonFromArrowData(entries.children[0] as Data, begin + i),
        value: canonFromArrowData(entries.children[1] as Data, begin + i),
      }));
    }
    default:
      throw new Error(`canonFromArrowData: unsupported Arrow type ${String(type)}`);
  }
}

export function canonFromArrow(table: Table): CanonResult {
  const rows: Canon[][] = [];
  for (const batch of table.batches) {
    const columns = table.schema.fields.map((_, c) => batch.data.children[c] as Data);
    for (let r = 0; r < batch.numRows; r++) rows.push(columns.map((data) => canonFromArrowData(data, r)));
  }
  return { ...schemaShape(table.schema), rows };
}

export function schemaShape(schema: Schema): { names: string[]; types: string[] } {
  return {
    names: schema.fields.map((f) => f.name),
    types: schema.fields.map((f) => describeArrowType(f.type)),
  };
}

// ------------------------------------------------------------- from JSON rows

/**
 * Interprets one JSON value with the column's DuckDB type. Lenient only where
 * the encoding may legitimately vary (an integer as a number or as exact
 * text, any ISO 8601 spelling of an instant); the exact JSON forms are
 * checked separately.
 */
export function canonFromJson(value: unknown, type: DuckDBType, where = 'value'): Canon {
  if (value === null) return null;
  const fail = (expected: string): never => {
    throw new Error(`${where}: expected ${expected} for ${type.toString()}, got ${JSON.stringify(value)}`);
  };
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return typeof value === 'boolean' ? value : fail('a boolean');
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
      if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
      return typeof value === 'string' && /^-?\d+$/.test(value) ? BigInt(value) : fail('an integer');
    case DuckDBTypeId.HUGEINT:
      if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value).toString();
      return typeof value === 'string' && /^-?\d+$/.test(value) ? value : fail('an integer');
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      if (typeof value === 'number') return value;
      return ['NaN', 'Infinity', '-Infinity'].includes(value as string) ? Number(value) : fail('a number');
    case DuckDBTypeId.DECIMAL:
      // A scale-0 decimal within ±2^53 may come as a plain number (json-values.ts); anything else is exact text.
      if (type.scale === 0 && typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
      return typeof value === 'string' ? value : fail('decimal text');
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.UUID:
    case DuckDBTypeId.ENUM:
    case DuckDBTypeId.BLOB:
    case DuckDBTypeId.DATE:
      return typeof value === 'string' ? value : fail('a string');
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      if (typeof value !== 'string') return fail('an ISO 8601 string');
      return isoFromMicros(microsFromIso(value, type.typeId === DuckDBTypeId.TIMESTAMP_TZ));
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return Array.isArray(value)
        ? value.map((item, i) => canonFromJson(item, type.valueType, `${where}[${i}]`))
        : fail('an array');
    case DuckDBTypeId.STRUCT: {
      if (typeof value !== 'object' || Array.isArray(value)) return fail('an object');
      const object = value as Record<string, unknown>;
      return Object.fromEntries(
        type.entryNames.map((name, i) => [
          name,
          canonFromJson(object[name] ?? null, type.entryTypes[i] as DuckDBType, `${where}.${name}`),
        ]),
      );
    }
    case DuckDBTypeId.SQLNULL:
      return fail('null');
    default:
      throw new Error(`canonFromJson: unsupported type ${type.toString()}`);
  }
}

export function canonFromJsonRows(
  rows: readonly Record<string, unknown>[],
  reference: ReferenceResult,
): Canon[][] {
  return rows.map((row, r) => {
    const keys = Object.keys(row);
    if (keys.length !== reference.names.length || keys.some((key, i) => key !== reference.names[i])) {
      throw new Error(
        `row ${r}: keys ${JSON.stringify(keys)} differ from ${JSON.stringify(reference.names)}`,
      );
    }
    return reference.names.map((name, c) =>
      canonFromJson(row[name], reference.types[c] as DuckDBType, `row ${r}.${name}`),
    );
  });
}

// -------------------------------------------------------------- comparisons

/** A stable text form of a canonical value, for sorting unordered results and for messages. */
export function canonKey(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

export function sortRows(rows: Canon[][]): Canon[][] {
  return [...rows].sort((a, b) => {
    const x = canonKey(a);
    const y = canonKey(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
