import { DataType, type Field, type RecordBatch, type Schema, Type } from 'apache-arrow';

/**
 * How Arrow values appear in JSON responses. JSON has no 64-bit integers,
 * decimals or dates, so: integers outside ±2^53 and decimals become strings
 * (exact), dates `YYYY-MM-DD`, timestamps ISO 8601, binary base64.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type RowObject = Record<string, JsonValue>;

type Converter = (value: unknown) => JsonValue;

function bigintToJson(value: bigint): JsonValue {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

function decimalToString(words: Uint32Array, scale: number): string {
  // apache-arrow exposes Decimal128 as four little-endian 32-bit words.
  let unscaled = 0n;
  for (let i = words.length - 1; i >= 0; i--) unscaled = (unscaled << 32n) | BigInt(words[i] ?? 0);
  const bits = BigInt(words.length * 32);
  if (unscaled >= 1n << (bits - 1n)) unscaled -= 1n << bits;
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const whole = scale > 0 ? digits.slice(0, -scale) : digits;
  const fraction = scale > 0 ? `.${digits.slice(-scale)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

function timestampToIso(epoch: number | bigint, unit: number): string {
  // unit: 0 s, 1 ms, 2 µs, 3 ns (Arrow TimeUnit)
  const value = BigInt(epoch);
  const perMilli = [0n, 1n, 1000n, 1000000n][unit] ?? 1n;
  const millis = unit === 0 ? value * 1000n : value / perMilli;
  const iso = new Date(Number(millis)).toISOString();
  if (unit <= 1) return iso;
  const subMilli = ((value % perMilli) + perMilli) % perMilli;
  const digits = unit === 2 ? 3 : 6;
  return `${iso.slice(0, -1)}${subMilli.toString().padStart(digits, '0')}Z`;
}

function converterFor(type: DataType): Converter {
  switch (type.typeId) {
    case Type.Int:
    case Type.Int64:
    case Type.Uint64:
      return (v) => (typeof v === 'bigint' ? bigintToJson(v) : (v as number));
    case Type.Decimal: {
      const scale = (type as unknown as { scale: number }).scale;
      return (v) => decimalToString(v as Uint32Array, scale);
    }
    case Type.Date:
    case Type.DateDay:
    case Type.DateMillisecond:
      return (v) => new Date(Number(v)).toISOString().slice(0, 10);
    case Type.Timestamp:
    case Type.TimestampSecond:
    case Type.TimestampMillisecond:
    case Type.TimestampMicrosecond:
    case Type.TimestampNanosecond: {
      // apache-arrow returns timestamps as epoch milliseconds (a float);
      // the raw storage is used for sub-millisecond precision.
      const unit = (type as unknown as { unit: number }).unit;
      return (v) => timestampToIso(Math.round(Number(v) * (unit === 0 ? 1 / 1000 : 1)), unit === 0 ? 0 : 1);
    }
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return (v) => Buffer.from(v as Uint8Array).toString('base64');
    case Type.List:
    case Type.FixedSizeList: {
      const child = converterFor((type.children[0] as Field).type);
      return (v) => Array.from(v as Iterable<unknown>, (item) => (item == null ? null : child(item)));
    }
    case Type.Struct: {
      const fields = type.children.map((field: Field) => [field.name, converterFor(field.type)] as const);
      return (v) => {
        const row = v as Record<string, unknown>;
        const out: Record<string, JsonValue> = {};
        for (const [name, convert] of fields) {
          const item = row[name];
          out[name] = item == null ? null : convert(item);
        }
        return out;
      };
    }
    case Type.Map:
      return (v) => {
        const out: Record<string, JsonValue> = {};
        for (const [key, item] of v as Iterable<[unknown, unknown]>) {
          out[String(key)] = item == null ? null : (item as JsonValue);
        }
        return out;
      };
    case Type.Float:
      return (v) => (Number.isFinite(v as number) ? (v as number) : String(v));
    default:
      return (v) => {
        if (typeof v === 'bigint') return bigintToJson(v);
        if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
        if (typeof v === 'object' && v !== null && 'toJSON' in v) {
          return (v as { toJSON(): JsonValue }).toJSON();
        }
        return v as JsonValue;
      };
  }
}

/** Converts record batches of one schema into JSON row objects. */
export class JsonRowEncoder {
  private readonly names: string[];
  private readonly converters: Converter[];

  constructor(schema: Schema) {
    this.names = schema.fields.map((field) => field.name);
    this.converters = schema.fields.map((field) => converterFor(field.type));
  }

  *rows(batch: RecordBatch): Generator<RowObject> {
    const columns = this.names.map((_, i) => batch.getChildAt(i));
    for (let row = 0; row < batch.numRows; row++) {
      const out: RowObject = {};
      for (let c = 0; c < columns.length; c++) {
        const value = columns[c]?.get(row);
        out[this.names[c] as string] = value == null ? null : (this.converters[c] as Converter)(value);
      }
      yield out;
    }
  }
}

export function isDataType(value: unknown): value is DataType {
  return value instanceof DataType;
}
