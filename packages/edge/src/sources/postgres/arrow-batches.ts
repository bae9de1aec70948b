import {
  Binary,
  Bool,
  type DataType,
  DateDay,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';

/** A result column as PostgreSQL describes it: name and type OID. */
export interface PgField {
  name: string;
  dataTypeID: number;
}

type Kind =
  | 'bool'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'date'
  | 'ts'
  | 'tstz'
  | 'bytea'
  | 'text';

// Type OIDs from PostgreSQL's pg_type.dat; they are fixed for built-in types.
const BY_OID: Record<number, Kind> = {
  16: 'bool',
  21: 'int16',
  23: 'int32',
  20: 'int64',
  700: 'float32',
  701: 'float64',
  1082: 'date',
  1114: 'ts',
  1184: 'tstz',
  17: 'bytea',
};

function arrowType(kind: Kind): DataType {
  switch (kind) {
    case 'bool':
      return new Bool();
    case 'int16':
      return new Int16();
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'float32':
      return new Float32();
    case 'float64':
      return new Float64();
    case 'date':
      return new DateDay();
    case 'ts':
      return new TimestampMicrosecond();
    case 'tstz':
      return new TimestampMicrosecond('UTC');
    case 'bytea':
      return new Binary();
    case 'text':
      return new Utf8();
  }
}

const FLOATS: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity };
const TIMESTAMP =
  /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?)?$/;

/** Microseconds since the epoch of PostgreSQL's ISO text form; null for ±infinity and BC dates. */
export function timestampMicros(text: string): bigint | null {
  const m = TIMESTAMP.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, sign, oh, om, os] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  let micros = BigInt(ms) * 1000n + BigInt((frac ?? '').padEnd(6, '0') || '0');
  if (sign) {
    const offset = (Number(oh) * 3600 + Number(om ?? 0) * 60 + Number(os ?? 0)) * 1_000_000;
    micros -= BigInt(sign === '+' ? offset : -offset);
  }
  return micros;
}

function dayNumber(text: string): number | null {
  const m = /^(\d{4,})-(\d\d)-(\d\d)$/.exec(text);
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000;
}

function column(kind: Kind, values: (string | null)[]) {
  const type = arrowType(kind);
  switch (kind) {
    case 'bool':
      return vectorFromArray(
        values.map((v) => (v === null ? null : v === 't')),
        type,
      ).data[0];
    case 'int16':
    case 'int32':
      return vectorFromArray(
        values.map((v) => (v === null ? null : Number(v))),
        type,
      ).data[0];
    case 'int64':
      return vectorFromArray(
        values.map((v) => (v === null ? null : BigInt(v))),
        type,
      ).data[0];
    case 'float32':
    case 'float64':
      return vectorFromArray(
        values.map((v) => (v === null ? null : (FLOATS[v] ?? Number(v)))),
        type,
      ).data[0];
    case 'bytea':
      return vectorFromArray(
        values.map((v) => (v === null ? null : Buffer.from(v.replace(/^\\x/, ''), 'hex'))),
        type,
      ).data[0];
    case 'date':
    case 'ts':
    case 'tstz':
      return fixedWidth(type, kind, values);
    case 'text':
      return vectorFromArray(values, type).data[0];
  }
}

/**
 * Dates and timestamps are laid out by hand: apache-arrow's builders take
 * milliseconds, which would drop PostgreSQL's microseconds.
 */
function fixedWidth(type: DataType, kind: Kind, values: (string | null)[]) {
  const length = values.length;
  const nullBitmap = new Uint8Array(Math.ceil(length / 8));
  let nullCount = 0;
  const data = kind === 'date' ? new Int32Array(length) : new BigInt64Array(length);
  values.forEach((text, i) => {
    const value = text === null ? null : kind === 'date' ? dayNumber(text) : timestampMicros(text);
    if (value === null) {
      nullCount++;
      return;
    }
    (data as unknown as (number | bigint)[])[i] = value;
    nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
  });
  return makeData({ type, length, nullCount, nullBitmap, data } as never);
}

/**
 * Turns rows of PostgreSQL text values into Arrow IPC messages: the schema
 * once, then one record batch per block of rows. Types without an exact
 * Arrow counterpart here (numeric, uuid, json, arrays, intervals) travel as
 * PostgreSQL's text form.
 */
export class PgArrowEncoder {
  readonly schema: Schema;
  private readonly kinds: Kind[];
  private readonly schemaLength: number;

  constructor(fields: readonly PgField[]) {
    this.kinds = fields.map((f) => BY_OID[f.dataTypeID] ?? 'text');
    this.schema = new Schema(fields.map((f, i) => new Field(f.name, arrowType(this.kinds[i] as Kind), true)));
    this.schemaLength = this.schemaMessage().byteLength;
  }

  schemaMessage(): Uint8Array {
    const stream = tableToIPC(new Table(this.schema), 'stream');
    return stream.subarray(0, stream.byteLength - 8);
  }

  /** One record batch message for `rows` (arrays of text values, in field order). */
  batchMessage(rows: readonly (readonly (string | null)[])[]): Uint8Array {
    const children = this.kinds.map((kind, c) =>
      column(
        kind,
        rows.map((row) => row[c] ?? null),
      ),
    );
    const struct = makeData({
      type: new Struct(this.schema.fields),
      length: rows.length,
      nullCount: 0,
      children,
    } as never);
    const batch = new RecordBatch(this.schema, struct as never);
    const stream = tableToIPC(new Table([batch]), 'stream');
    // apache-arrow writes schema, batch and end-of-stream marker; only the batch travels.
    return stream.subarray(this.schemaLength, stream.byteLength - 8);
  }
}
