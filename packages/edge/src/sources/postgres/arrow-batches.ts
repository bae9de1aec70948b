import { ARROW_EOS, TributaryError } from '@tributary/core';
import {
  type Data,
  DataType,
  type Float,
  type Int,
  IntervalUnit,
  type List,
  makeData,
  Precision,
  RecordBatch,
  type Schema,
  Struct,
  Table,
  TimeUnit,
  tableFromIPC,
  tableToIPC,
} from 'apache-arrow';
import { parse as parseArray } from 'postgres-array';
import { dateDays, intervalParts, scaledDecimal, timeMicros, timestampMicros } from './text-values.js';

/** A result column as PostgreSQL describes it: name and type OID. */
export interface PgField {
  name: string;
  dataTypeID: number;
}

// Type OIDs from PostgreSQL's pg_type.dat; they are fixed for built-in types.
const OID = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  json: 114,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
} as const;

/** Array type OID → element type OID, for the element types the catalog maps. */
const ARRAY_ELEMENT: Record<number, number> = {
  1000: OID.bool,
  1001: OID.bytea,
  1002: OID.char,
  1003: OID.name,
  1005: OID.int2,
  1007: OID.int4,
  1016: OID.int8,
  1009: OID.text,
  199: OID.json,
  1021: OID.float4,
  1022: OID.float8,
  1014: OID.bpchar,
  1015: OID.varchar,
  1182: OID.date,
  1183: OID.time,
  1115: OID.timestamp,
  1185: OID.timestamptz,
  1187: OID.interval,
  1231: OID.numeric,
  2951: OID.uuid,
  3807: OID.jsonb,
};

const INTEGERS: number[] = [OID.int2, OID.int4, OID.int8, OID.numeric];
const TEXTS: number[] = [
  OID.text,
  OID.varchar,
  OID.bpchar,
  OID.name,
  OID.char,
  OID.uuid,
  OID.json,
  OID.jsonb,
];

/**
 * Whether PostgreSQL values of type `oid` can become Arrow values of `type`
 * exactly as DuckDB's cast of their text would. The Arrow type is DuckDB's
 * (see @tributary/engine's type table): an unconstrained numeric the catalog
 * declares VARCHAR arrives as Utf8, a HUGEINT sum as Decimal128(38, 0).
 */
function compatible(type: DataType, oid: number): boolean {
  if (DataType.isNull(type)) return true;
  if (DataType.isBool(type)) return oid === OID.bool;
  if (DataType.isInt(type)) return type.isSigned && INTEGERS.includes(oid);
  if (DataType.isDecimal(type)) return type.bitWidth === 128 && INTEGERS.includes(oid);
  if (DataType.isFloat(type))
    // A real result where DuckDB has DOUBLE (sum of reals) was computed in single precision.
    return type.precision === Precision.SINGLE
      ? oid === OID.float4
      : type.precision === Precision.DOUBLE && [...INTEGERS, OID.float8].includes(oid);
  if (DataType.isUtf8(type)) return [...TEXTS, OID.numeric].includes(oid);
  if (DataType.isBinary(type)) return oid === OID.bytea;
  if (DataType.isDate(type)) return oid === OID.date;
  if (DataType.isTimestamp(type))
    return type.unit === TimeUnit.MICROSECOND && oid === (type.timezone ? OID.timestamptz : OID.timestamp);
  if (DataType.isTime(type)) return type.unit === TimeUnit.MICROSECOND && oid === OID.time;
  if (DataType.isInterval(type)) return type.unit === IntervalUnit.MONTH_DAY_NANO && oid === OID.interval;
  if (DataType.isList(type)) {
    const element = ARRAY_ELEMENT[oid];
    return element !== undefined && compatible((type as List).children[0]?.type as DataType, element);
  }
  return false;
}

type Values = readonly (string | null)[];

/** Validity bitmap and null count of `values`. */
function validity(values: Values): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null) nullCount++;
    else nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
  });
  return { nullBitmap, nullCount };
}

/** Fills a typed array from the non-null values; null slots stay zero. */
function fill<T extends { [i: number]: number | bigint }>(
  data: T,
  values: Values,
  parse: (v: string) => T[number],
): T {
  values.forEach((v, i) => {
    if (v !== null) data[i] = parse(v);
  });
  return data;
}

const FLOATS: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity };

function integer(text: string): bigint {
  // A numeric result (e.g. sum of bigints) arrives as `123`; one with a fraction has no integer form.
  if (!/^-?\d+$/.test(text)) throw new TypeError(`not an integer: ${text}`);
  return BigInt(text);
}

function variableWidth(values: Values, bytes: (v: string) => Uint8Array) {
  const encoded = values.map((v) => (v === null ? new Uint8Array(0) : bytes(v)));
  const valueOffsets = new Int32Array(values.length + 1);
  let total = 0;
  encoded.forEach((b, i) => {
    total += b.byteLength;
    valueOffsets[i + 1] = total;
  });
  const data = new Uint8Array(total);
  encoded.forEach((b, i) => {
    data.set(b, valueOffsets[i] as number);
  });
  return { valueOffsets, data };
}

const utf8 = new TextEncoder();

/** Arrow data of `type` for PostgreSQL text values of type `oid`. */
function column(type: DataType, oid: number, values: Values): Data {
  const length = values.length;
  if (DataType.isNull(type)) return makeData({ type, length, nullCount: length });
  const base = { type, length, ...validity(values) };
  if (DataType.isBool(type)) {
    const data = new Uint8Array(Math.ceil(length / 8));
    values.forEach((v, i) => {
      if (v === 't') data[i >> 3] = (data[i >> 3] as number) | (1 << (i & 7));
    });
    return makeData({ ...base, data } as never);
  }
  if (DataType.isInt(type)) {
    const width = (type as Int).bitWidth;
    if (width === 64)
      return makeData({ ...base, data: fill(new BigInt64Array(length), values, integer) } as never);
    const data =
      width === 32 ? new Int32Array(length) : width === 16 ? new Int16Array(length) : new Int8Array(length);
    return makeData({ ...base, data: fill(data, values, (v) => Number(integer(v))) } as never);
  }
  if (DataType.isFloat(type)) {
    const data =
      (type as Float).precision === Precision.DOUBLE ? new Float64Array(length) : new Float32Array(length);
    return makeData({ ...base, data: fill(data, values, (v) => FLOATS[v] ?? Number(v)) } as never);
  }
  if (DataType.isDecimal(type)) {
    // Decimal128: each value is a little-endian two's-complement int128, as four uint32 words.
    const words = new Uint32Array(length * 4);
    const mask = (1n << 128n) - 1n;
    values.forEach((v, i) => {
      if (v === null) return;
      if (v === 'NaN' || v.endsWith('Infinity')) throw new TypeError(`${v} has no DECIMAL value`);
      let bits = scaledDecimal(v, type.scale) & mask;
      for (let w = 0; w < 4; w++) {
        words[i * 4 + w] = Number(bits & 0xffffffffn);
        bits >>= 32n;
      }
    });
    return makeData({ ...base, data: words } as never);
  }
  if (DataType.isUtf8(type)) {
    // `character(n)` pads with spaces; its text form (what DuckDB reads) does not.
    const text = oid === OID.bpchar ? (v: string) => v.replace(/ +$/, '') : (v: string) => v;
    return makeData({ ...base, ...variableWidth(values, (v) => utf8.encode(text(v))) } as never);
  }
  if (DataType.isBinary(type))
    return makeData({ ...base, ...variableWidth(values, (v) => Buffer.from(v.slice(2), 'hex')) } as never);
  if (DataType.isDate(type))
    return makeData({ ...base, data: fill(new Int32Array(length), values, dateDays) } as never);
  if (DataType.isTimestamp(type))
    return makeData({ ...base, data: fill(new BigInt64Array(length), values, timestampMicros) } as never);
  if (DataType.isTime(type))
    return makeData({ ...base, data: fill(new BigInt64Array(length), values, timeMicros) } as never);
  if (DataType.isInterval(type)) {
    // MonthDayNano: int32 months, int32 days, int64 nanoseconds per value.
    const words = new Int32Array(length * 4);
    const nanos = new BigInt64Array(words.buffer);
    values.forEach((v, i) => {
      if (v === null) return;
      const parts = intervalParts(v);
      words[i * 4] = parts.months;
      words[i * 4 + 1] = parts.days;
      nanos[i * 2 + 1] = parts.micros * 1000n;
    });
    return makeData({ ...base, data: words } as never);
  }
  if (DataType.isList(type)) {
    const element = ARRAY_ELEMENT[oid] as number;
    const valueOffsets = new Int32Array(length + 1);
    const items: (string | null)[] = [];
    values.forEach((v, i) => {
      if (v !== null)
        for (const item of parseArray(v) as unknown[]) {
          // A multi-dimensional array has no DuckDB list type of the declared depth.
          if (Array.isArray(item)) throw new TypeError('multi-dimensional arrays are not supported');
          items.push(item as string | null);
        }
      valueOffsets[i + 1] = items.length;
    });
    const child = column((type as List).children[0]?.type as DataType, element, items);
    return makeData({ ...base, valueOffsets, child } as never);
  }
  throw new TypeError(`no conversion to ${type}`);
}

/**
 * Turns rows of PostgreSQL text values into Arrow IPC record batches of a
 * given schema — the one DuckDB gives the same query — so a query answers
 * with the same types and values whether PostgreSQL or DuckDB ran it.
 */
export class PgArrowEncoder {
  private readonly schemaLength: number;

  private constructor(
    private readonly message: Uint8Array,
    readonly schema: Schema,
    private readonly oids: number[],
  ) {
    const stream = tableToIPC(new Table(schema), 'stream');
    this.schemaLength = stream.byteLength - ARROW_EOS.byteLength;
  }

  /**
   * An encoder from `fields` to the schema in `schemaMessage` (an IPC schema
   * message), or undefined when some column cannot be converted faithfully.
   */
  static create(schemaMessage: Uint8Array, fields: readonly PgField[]): PgArrowEncoder | undefined {
    const bytes = new Uint8Array(schemaMessage.byteLength + ARROW_EOS.byteLength);
    bytes.set(schemaMessage);
    bytes.set(ARROW_EOS, schemaMessage.byteLength);
    const schema = tableFromIPC(bytes).schema;
    if (schema.fields.length !== fields.length) return undefined;
    const oids = fields.map((f) => f.dataTypeID);
    if (!schema.fields.every((field, i) => compatible(field.type, oids[i] as number))) return undefined;
    return new PgArrowEncoder(schemaMessage, schema, oids);
  }

  schemaMessage(): Uint8Array {
    return this.message;
  }

  /** One record batch message for `rows` (arrays of text values, in field order). */
  batchMessage(rows: readonly (readonly (string | null)[])[]): Uint8Array {
    let children: Data[];
    try {
      children = this.schema.fields.map((field, c) =>
        column(
          field.type,
          this.oids[c] as number,
          rows.map((row) => row[c] ?? null),
        ),
      );
    } catch (error) {
      throw TributaryError.invalid(
        `a PostgreSQL value has no exact counterpart: ${(error as Error).message}`,
      );
    }
    const struct = makeData({
      type: new Struct(this.schema.fields),
      length: rows.length,
      nullCount: 0,
      children,
    });
    const batch = new RecordBatch(this.schema, struct);
    const stream = tableToIPC(new Table([batch]), 'stream');
    // apache-arrow writes schema, batch and end-of-stream marker; only the batch travels.
    return stream.subarray(this.schemaLength, stream.byteLength - ARROW_EOS.byteLength);
  }
}
