import {
  type Data,
  type DataType,
  type Field,
  type RecordBatch,
  type Schema,
  Type,
  type Vector,
} from 'apache-arrow';

/**
 * How Arrow values appear in JSON responses. JSON has no 64-bit integers,
 * decimals or dates, so: integers outside ±2^53 and all decimals become
 * strings (exact); dates are `YYYY-MM-DD`; timestamps ISO 8601 at their full
 * precision, with `Z` only when the column has a time zone (a naive TIMESTAMP
 * names no instant); times `HH:MM:SS[.ffffff]`; binary is base64.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type RowObject = Record<string, JsonValue>;

type Converter = (value: unknown) => JsonValue;

const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

function bigintToJson(value: bigint): JsonValue {
  return value >= SAFE_MIN && value <= SAFE_MAX ? Number(value) : value.toString();
}

/** Decimal128 values arrive as little-endian 32-bit words of a two's-complement integer. */
export function decimalToString(words: Uint32Array, scale: number): string {
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

const UNIT_DIGITS = [0, 3, 6, 9] as const;
const UNIT_PER_SECOND = [1n, 1_000n, 1_000_000n, 1_000_000_000n] as const;

/** Epoch value in the given Arrow TimeUnit (0 s, 1 ms, 2 µs, 3 ns) → ISO 8601. */
export function epochToIso(value: bigint, unit: number, zoned: boolean): string {
  const perSecond = UNIT_PER_SECOND[unit] ?? 1n;
  let seconds = value / perSecond;
  let fraction = value % perSecond;
  if (fraction < 0n) {
    fraction += perSecond;
    seconds -= 1n;
  }
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const digits = UNIT_DIGITS[unit] ?? 0;
  const fractionText = digits > 0 && fraction > 0n ? `.${fraction.toString().padStart(digits, '0')}` : '';
  return `${base}${fractionText}${zoned ? 'Z' : ''}`;
}

/** Time of day in the given unit → `HH:MM:SS[.fraction]`. */
export function timeOfDay(value: bigint, unit: number): string {
  return epochToIso(value, unit, false).slice(11);
}

function converterFor(type: DataType): Converter {
  switch (type.typeId) {
    case Type.Int:
      return (v) => (typeof v === 'bigint' ? bigintToJson(v) : (v as number));
    case Type.Float:
      return (v) => (Number.isFinite(v as number) ? (v as number) : String(v));
    case Type.Decimal: {
      const scale = (type as unknown as { scale: number }).scale;
      return (v) => decimalToString(v as Uint32Array, scale);
    }
    case Type.Date:
      return (v) => new Date(Number(v)).toISOString().slice(0, 10);
    case Type.Timestamp: {
      // Reached only for timestamps nested in lists or structs, where
      // apache-arrow hands out float milliseconds; top-level columns use raw storage.
      const zoned = Boolean((type as unknown as { timezone?: string | null }).timezone);
      return (v) => epochToIso(BigInt(Math.round(Number(v) * 1000)), 2, zoned);
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
    case Type.Map: {
      const entry = (type.children[0] as Field).type;
      const [keyField, valueField] = entry.children as Field[];
      const key = converterFor((keyField as Field).type);
      const value = converterFor((valueField as Field).type);
      return (v) => {
        const out: Record<string, JsonValue> = {};
        for (const [k, item] of v as Iterable<[unknown, unknown]>) {
          out[String(key(k))] = item == null ? null : value(item);
        }
        return out;
      };
    }
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

type CellReader = (row: number) => JsonValue;

/**
 * Timestamps and times are read from their raw 64-bit storage: apache-arrow's
 * accessors return epoch milliseconds as a float, which would drop the
 * microseconds DuckDB produces.
 */
function rawTemporalReader(vector: Vector, type: DataType): CellReader | undefined {
  const isTimestamp = type.typeId === Type.Timestamp;
  const isTime64 = type.typeId === Type.Time && (type as unknown as { bitWidth: number }).bitWidth === 64;
  if (!isTimestamp && !isTime64) return undefined;
  if (vector.data.length !== 1) return undefined;
  const data = vector.data[0] as Data;
  const values = data.values as unknown as BigInt64Array;
  const unit = (type as unknown as { unit: number }).unit;
  const zoned = isTimestamp && Boolean((type as unknown as { timezone?: string | null }).timezone);
  return (row) => {
    if (!vector.isValid(row)) return null;
    const raw = values[row] as bigint;
    return isTimestamp ? epochToIso(raw, unit, zoned) : timeOfDay(raw, unit);
  };
}

/** Converts record batches of one schema into JSON row objects. */
export class JsonRowEncoder {
  private readonly names: string[];
  private readonly types: DataType[];
  private readonly converters: Converter[];

  constructor(schema: Schema) {
    this.names = schema.fields.map((field) => field.name);
    this.types = schema.fields.map((field) => field.type);
    this.converters = this.types.map(converterFor);
  }

  *rows(batch: RecordBatch): Generator<RowObject> {
    const readers: CellReader[] = this.names.map((_, c) => {
      const vector = batch.getChildAt(c) as Vector;
      const raw = rawTemporalReader(vector, this.types[c] as DataType);
      if (raw) return raw;
      const convert = this.converters[c] as Converter;
      return (row) => {
        const value = vector.get(row);
        return value == null ? null : convert(value);
      };
    });
    for (let row = 0; row < batch.numRows; row++) {
      const out: RowObject = {};
      for (let c = 0; c < readers.length; c++) out[this.names[c] as string] = (readers[c] as CellReader)(row);
      yield out;
    }
  }
}
