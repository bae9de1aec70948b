import {
  type Data,
  type DataType,
  type Date_,
  DateUnit,
  type Decimal,
  type Field,
  type FixedSizeBinary,
  type FixedSizeList,
  type Float,
  type Int,
  type Interval,
  IntervalUnit,
  makeVector,
  Precision,
  type RecordBatch,
  type Schema,
  type Time,
  type Timestamp,
  Type,
  type Union,
  UnionMode,
} from 'apache-arrow';
import { byteText } from './byte-text.js';

/**
 * How Arrow values appear in JSON responses. JSON has no 64-bit integers,
 * decimals or dates, so:
 * - integers, HUGEINT's Decimal128(38, 0) and every other scale-0 decimal
 *   within ±(2^53 − 1) are numbers; larger ones are exact strings, and so is
 *   every decimal with a fraction (scale > 0), e.g. `"1.50"`;
 * - floats are numbers, except NaN and ±Infinity: `"NaN"`, `"Infinity"`, `"-Infinity"`;
 * - dates are `YYYY-MM-DD`; timestamps ISO 8601 at their full precision, with
 *   `Z` only when the column has a time zone (a naive TIMESTAMP names no
 *   instant); years outside 0000–9999 take the extended form (`+275760-09-13`);
 *   DuckDB's infinite dates and timestamps are `"infinity"` / `"-infinity"`;
 * - times are `HH:MM:SS[.ffffff]`; intervals and durations are ISO 8601
 *   durations (`P1M2DT3.5S`, `PT0S`, components may be negative: `P-1M`);
 * - binary is base64; lists are arrays; structs and maps are objects (map keys
 *   as text); dictionary-encoded values appear as their dictionary value.
 *
 * Every value is read from the raw Arrow buffers, at any nesting depth, by a
 * reader built once per column and batch; apache-arrow's accessors (which
 * turn timestamps into float milliseconds) serve only types not listed here. No valid Arrow value
 * makes a reader throw.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type RowObject = Record<string, JsonValue>;

/** Reads the value at an index of one Data, with apache-arrow's index semantics. */
type Reader = (index: number) => JsonValue;

const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const TWO_32 = 4_294_967_296;
/** A 64-bit integer whose high word is strictly within ±2^21 is a safe integer. */
const HIGH_WORD_LIMIT = 2_097_152;

/** DuckDB's DATE ±infinity: int32 max and min + 1. */
const DATE_INFINITY = 2_147_483_647;
/** DuckDB's TIMESTAMP ±infinity (every unit): int64 max and min + 1. */
const INT64_INFINITY = 9_223_372_036_854_775_807n;

const UNIT_DIGITS = [0, 3, 6, 9] as const;
const UNIT_PER_SECOND = [1, 1_000, 1_000_000, 1_000_000_000] as const;
const UNIT_PER_SECOND_BIG = [1n, 1_000n, 1_000_000n, 1_000_000_000n] as const;

function bigintToJson(value: bigint): JsonValue {
  return value >= SAFE_MIN && value <= SAFE_MAX ? Number(value) : value.toString();
}

function floatToJson(value: number): JsonValue {
  return Number.isFinite(value) ? value : String(value);
}

/** Sets a key, including `__proto__`, as an own enumerable property (as JSON.parse does). */
function assign(target: Record<string, JsonValue>, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

// ---------------------------------------------------------------- decimals

/** The two's-complement integer held in `stride` little-endian 32-bit words from `base`. */
function unscaledAt(words: Uint32Array, base: number, stride: number): bigint {
  let unscaled = 0n;
  for (let k = stride - 1; k >= 0; k--) unscaled = (unscaled << 32n) | BigInt(words[base + k] ?? 0);
  const bits = BigInt(stride * 32);
  return unscaled >= 1n << (bits - 1n) ? unscaled - (1n << bits) : unscaled;
}

function scaledText(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** Decimal128 values arrive as little-endian 32-bit words of a two's-complement integer. */
export function decimalToString(words: Uint32Array, scale: number): string {
  return scaledText(unscaledAt(words, 0, words.length), scale);
}

function decimalReader(words: Uint32Array, stride: number, scale: number): Reader {
  if (scale > 0) return (i) => scaledText(unscaledAt(words, i * stride, stride), scale);
  if (scale < 0) {
    const factor = 10n ** BigInt(-scale);
    return (i) => bigintToJson(unscaledAt(words, i * stride, stride) * factor);
  }
  if (stride === 1) return (i) => (words[i] as number) | 0;
  return (i) => {
    const base = i * stride;
    const high = (words[base + 1] as number) | 0;
    if (high > -HIGH_WORD_LIMIT && high < HIGH_WORD_LIMIT) {
      // Small enough if every further word only extends the sign.
      const fill = high < 0 ? 0xffffffff : 0;
      let k = 2;
      while (k < stride && words[base + k] === fill) k++;
      if (k === stride) return high * TWO_32 + (words[base] as number);
    }
    return bigintToJson(unscaledAt(words, base, stride));
  };
}

// ---------------------------------------------------------------- 64-bit integers

/**
 * Element reader of a 64-bit integer array: a number, read from the 32-bit
 * halves without making a BigInt, when the high word shows the value is a safe
 * integer (|v| < 2^53 − 2^32); else a bigint.
 */
function int64At(
  values: BigInt64Array | BigUint64Array = new BigInt64Array(0),
  signed = true,
): (i: number) => number | bigint {
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  return (i) => {
    const high = words[2 * i + 1] as number;
    if (high < HIGH_WORD_LIMIT && (signed ? high > -HIGH_WORD_LIMIT : high >= 0)) {
      return high * TWO_32 + ((words[2 * i] as number) >>> 0);
    }
    return values[i] as bigint;
  };
}

function int64Reader(values: BigInt64Array | BigUint64Array, signed: boolean): Reader {
  const at = int64At(values, signed);
  return (i) => {
    const value = at(i);
    return typeof value === 'number' ? value : bigintToJson(value);
  };
}

// ---------------------------------------------------------------- dates and times

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** ISO 8601 year: four digits within 0000–9999, else the extended ±YYYYYY form. */
function yearText(year: number): string {
  if (year >= 0 && year <= 9999) return String(year).padStart(4, '0');
  return `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}`;
}

/**
 * Days since 1970-01-01 → `YYYY-MM-DD` in the proleptic Gregorian calendar,
 * for any safe integer (no JS Date, whose range is ±10^8 days).
 */
export function daysToIsoDate(days: number): string {
  // Civil-from-days over 400-year eras of 146097 days, years starting in March.
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${yearText(year)}-${pad2(month)}-${pad2(day)}`;
}

function dateDayText(days: number): string {
  if (days === DATE_INFINITY) return 'infinity';
  if (days === -DATE_INFINITY) return '-infinity';
  return daysToIsoDate(days);
}

function dateMillisecondText(value: number | bigint): string {
  if (typeof value === 'number') {
    const rest = ((value % 86_400_000) + 86_400_000) % 86_400_000;
    return daysToIsoDate((value - rest) / 86_400_000);
  }
  if (value === INT64_INFINITY) return 'infinity';
  if (value === -INT64_INFINITY) return '-infinity';
  let days = value / 86_400_000n;
  if (value % 86_400_000n < 0n) days -= 1n;
  return daysToIsoDate(Number(days));
}

function instantText(
  days: number,
  secondOfDay: number,
  fraction: number,
  unit: number,
  zoned: boolean,
): string {
  const hours = Math.floor(secondOfDay / 3600);
  const minutes = Math.floor((secondOfDay % 3600) / 60);
  const seconds = secondOfDay % 60;
  const digits = UNIT_DIGITS[unit] ?? 0;
  const fractionText = digits > 0 && fraction > 0 ? `.${String(fraction).padStart(digits, '0')}` : '';
  return `${daysToIsoDate(days)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}${fractionText}${zoned ? 'Z' : ''}`;
}

/** A safe-integer epoch value → ISO 8601, in number arithmetic (exact: no division rounds). */
function safeEpochToIso(value: number, unit: number, zoned: boolean): string {
  const perSecond = UNIT_PER_SECOND[unit] ?? 1;
  let fraction = value % perSecond;
  if (fraction < 0) fraction += perSecond;
  const seconds = (value - fraction) / perSecond;
  let secondOfDay = seconds % 86_400;
  if (secondOfDay < 0) secondOfDay += 86_400;
  return instantText((seconds - secondOfDay) / 86_400, secondOfDay, fraction, unit, zoned);
}

/**
 * Epoch value in the given Arrow TimeUnit (0 s, 1 ms, 2 µs, 3 ns) → ISO 8601,
 * for every int64: DuckDB's ±infinity (±(2^63 − 1)) → `infinity` / `-infinity`,
 * years beyond 9999 or before 0 in the extended form.
 */
export function epochToIso(value: bigint, unit: number, zoned: boolean): string {
  const small = Number(value);
  if (Number.isSafeInteger(small)) return safeEpochToIso(small, unit, zoned);
  if (value === INT64_INFINITY) return 'infinity';
  if (value === -INT64_INFINITY) return '-infinity';
  const perSecond = UNIT_PER_SECOND_BIG[unit] ?? 1n;
  let seconds = value / perSecond;
  let fraction = value % perSecond;
  if (fraction < 0n) {
    fraction += perSecond;
    seconds -= 1n;
  }
  let days = seconds / 86_400n;
  let secondOfDay = seconds % 86_400n;
  if (secondOfDay < 0n) {
    secondOfDay += 86_400n;
    days -= 1n;
  }
  return instantText(Number(days), Number(secondOfDay), Number(fraction), unit, zoned);
}

function clockText(
  negative: boolean,
  hours: number | bigint,
  minutes: number | bigint,
  seconds: number | bigint,
  fraction: number | bigint,
  unit: number,
): string {
  const digits = UNIT_DIGITS[unit] ?? 0;
  const fractionText = digits > 0 && fraction > 0 ? `.${String(fraction).padStart(digits, '0')}` : '';
  const hoursText = String(hours).padStart(2, '0');
  return `${negative ? '-' : ''}${hoursText}:${pad2(Number(minutes))}:${pad2(Number(seconds))}${fractionText}`;
}

function safeTimeOfDay(value: number, unit: number): string {
  const perSecond = UNIT_PER_SECOND[unit] ?? 1;
  const magnitude = Math.abs(value);
  const fraction = magnitude % perSecond;
  const seconds = (magnitude - fraction) / perSecond;
  const hours = Math.floor(seconds / 3600);
  return clockText(value < 0, hours, Math.floor((seconds % 3600) / 60), seconds % 60, fraction, unit);
}

/**
 * Time of day in the given unit → `HH:MM:SS[.fraction]`. Hours do not wrap
 * (DuckDB's `24:00:00` stays so); a negative value, not a valid time, gets a sign.
 */
export function timeOfDay(value: bigint | number, unit: number): string {
  if (typeof value === 'number') return safeTimeOfDay(value, unit);
  const small = Number(value);
  if (Number.isSafeInteger(small)) return safeTimeOfDay(small, unit);
  const perSecond = UNIT_PER_SECOND_BIG[unit] ?? 1n;
  const magnitude = value < 0n ? -value : value;
  const seconds = magnitude / perSecond;
  return clockText(
    value < 0n,
    seconds / 3600n,
    (seconds % 3600n) / 60n,
    seconds % 60n,
    magnitude % perSecond,
    unit,
  );
}

// ---------------------------------------------------------------- durations

/** The time part of an ISO 8601 duration (`1H2M3.5S`), '' when zero; each component carries the sign. */
function durationTimeText(value: number | bigint, unit: number): string {
  let negative: boolean;
  let hours: number | bigint;
  let minutes: number | bigint;
  let seconds: number | bigint;
  let fraction: number | bigint;
  if (typeof value === 'number') {
    const perSecond = UNIT_PER_SECOND[unit] ?? 1;
    const magnitude = Math.abs(value);
    fraction = magnitude % perSecond;
    const whole = (magnitude - fraction) / perSecond;
    negative = value < 0;
    hours = Math.floor(whole / 3600);
    minutes = Math.floor((whole % 3600) / 60);
    seconds = whole % 60;
  } else {
    const perSecond = UNIT_PER_SECOND_BIG[unit] ?? 1n;
    const magnitude = value < 0n ? -value : value;
    fraction = magnitude % perSecond;
    const whole = magnitude / perSecond;
    negative = value < 0n;
    hours = whole / 3600n;
    minutes = (whole % 3600n) / 60n;
    seconds = whole % 60n;
  }
  const sign = negative ? '-' : '';
  let text = '';
  if (hours > 0) text += `${sign}${hours}H`;
  if (minutes > 0) text += `${sign}${minutes}M`;
  if (fraction > 0) {
    const digits = String(fraction)
      .padStart(UNIT_DIGITS[unit] ?? 0, '0')
      .replace(/0+$/, '');
    text += `${sign}${seconds}.${digits}S`;
  } else if (seconds > 0) {
    text += `${sign}${seconds}S`;
  }
  return text;
}

/**
 * An interval → ISO 8601 duration: months (as years and months), days, and a
 * time in the given unit, e.g. 1 month 2 days 3.5 s → `P1M2DT3.5S`, zero →
 * `PT0S`. Each component keeps its own sign (`P1M-2D`).
 */
export function isoDuration(months: number, days: number, time: number | bigint, unit: number): string {
  let text = 'P';
  if (months !== 0) {
    const years = Math.trunc(months / 12);
    const rest = months - years * 12;
    if (years !== 0) text += `${years}Y`;
    if (rest !== 0) text += `${rest}M`;
  }
  if (days !== 0) text += `${days}D`;
  const timeText = durationTimeText(time, unit);
  if (timeText) text += `T${timeText}`;
  return text === 'P' ? 'PT0S' : text;
}

function intervalReader(values: Int32Array, unit: IntervalUnit): Reader {
  switch (unit) {
    case IntervalUnit.YEAR_MONTH:
      return (i) => isoDuration(values[i] as number, 0, 0, 0);
    case IntervalUnit.DAY_TIME:
      return (i) => isoDuration(0, values[2 * i] as number, values[2 * i + 1] as number, 1);
    default:
      // MonthDayNano: int32 months, int32 days, int64 nanoseconds.
      return (i) => {
        const base = 4 * i;
        const high = values[base + 3] as number;
        const low = (values[base + 2] as number) >>> 0;
        const nanos =
          high > -HIGH_WORD_LIMIT && high < HIGH_WORD_LIMIT
            ? high * TWO_32 + low
            : (BigInt(high) << 32n) + BigInt(low);
        return isoDuration(values[base] as number, values[base + 1] as number, nanos, 3);
      };
  }
}

// ---------------------------------------------------------------- readers

/** Half-precision float bits → number. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (mantissa / 1024);
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
}

/** Map keys become JSON object keys: strings as they are, other values as their JSON text. */
function keyText(key: JsonValue): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'object' && key !== null) return JSON.stringify(key);
  return String(key);
}

function variableWidthReader(data: Data, encoding: 'utf8' | 'base64', large: boolean): Reader {
  const text = byteText(data.values as Uint8Array | undefined, encoding);
  if (large) {
    const offsets = data.valueOffsets as unknown as BigInt64Array;
    return (i) => text(Number(offsets[i]), Number(offsets[i + 1]));
  }
  const offsets = data.valueOffsets as Int32Array;
  return (i) => text(offsets[i] as number, offsets[i + 1] as number);
}

/** Utf8View / BinaryView: 16-byte views, short values inline, longer ones in variadic buffers. */
function viewReader(data: Data, encoding: 'utf8' | 'base64'): Reader {
  const raw = (data.values as Uint8Array | undefined) ?? new Uint8Array(0);
  const views = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const inline = byteText(raw, encoding);
  const buffers = data.variadicBuffers.map((buffer) => byteText(buffer, encoding));
  return (i) => {
    const at = 16 * i;
    const size = views.getInt32(at, true);
    if (size <= 12) return inline(at + 4, at + 4 + Math.max(size, 0));
    const buffer = buffers[views.getInt32(at + 8, true)];
    const start = views.getInt32(at + 12, true);
    return buffer ? buffer(start, start + size) : null;
  };
}

/** List and LargeList (whose 64-bit offsets Number() absorbs). */
function listReader(data: Data): Reader {
  const child = readerFor(data.children[0] as Data);
  const offsets = data.valueOffsets as unknown as Int32Array | BigInt64Array;
  return (i) => {
    const start = Number(offsets[i]);
    const end = Number(offsets[i + 1]);
    const out: JsonValue[] = [];
    for (let j = start; j < end; j++) out.push(child(j));
    return out;
  };
}

function fixedSizeListReader(data: Data): Reader {
  const size = (data.type as FixedSizeList).listSize;
  const child = readerFor(data.children[0] as Data);
  return (i) => {
    const out: JsonValue[] = [];
    for (let j = i * size, end = j + size; j < end; j++) out.push(child(j));
    return out;
  };
}

function structReader(data: Data): Reader {
  const names = (data.type.children as Field[]).map((field) => field.name);
  const children = data.children.map(readerFor);
  return (i) => {
    const out: Record<string, JsonValue> = {};
    for (let k = 0; k < children.length; k++) assign(out, names[k] as string, (children[k] as Reader)(i));
    return out;
  };
}

function mapReader(data: Data): Reader {
  const entries = data.children[0] as Data;
  const key = readerFor(entries.children[0] as Data);
  const value = readerFor(entries.children[1] as Data);
  const offsets = data.valueOffsets as Int32Array;
  return (i) => {
    const out: Record<string, JsonValue> = {};
    for (let j = offsets[i] as number, end = offsets[i + 1] as number; j < end; j++) {
      assign(out, keyText(key(j)), value(j));
    }
    return out;
  };
}

function dictionaryReader(data: Data): Reader {
  const chunks = data.dictionary?.data ?? [];
  const readers = chunks.map(readerFor);
  const indices = data.values as unknown as ArrayLike<number | bigint>;
  const only = readers.length === 1 ? (readers[0] as Reader) : undefined;
  if (only) return (i) => only(Number(indices[i]));
  return (i) => {
    let index = Number(indices[i]);
    for (let c = 0; c < readers.length; c++) {
      const length = (chunks[c] as Data).length;
      if (index < length) return (readers[c] as Reader)(index);
      index -= length;
    }
    return null;
  };
}

function unionReader(data: Data): Reader {
  const type = data.type as Union;
  const children = data.children.map(readerFor);
  const typeIds = data.typeIds as Int8Array;
  const offsets = type.mode === UnionMode.Dense ? (data.valueOffsets as Int32Array) : undefined;
  return (i) => {
    const child = children[type.typeIdToChildIndex[typeIds[i] as number] as number];
    if (!child) return null;
    return child(offsets ? (offsets[i] as number) : i);
  };
}

/** Types this module does not know: apache-arrow's accessor, made JSON-safe. */
function fallbackReader(data: Data): Reader {
  const vector = makeVector(data);
  const toJson = (value: unknown): JsonValue => {
    if (value == null) return null;
    if (typeof value === 'bigint') return bigintToJson(value);
    if (typeof value === 'number') return floatToJson(value);
    if (typeof value === 'string' || typeof value === 'boolean') return value;
    if (value instanceof Uint8Array) return byteText(value, 'base64')(0, value.length);
    if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number | bigint>, toJson);
    if (typeof value === 'object' && 'toJSON' in value)
      return toJson((value as { toJSON(): unknown }).toJSON());
    if (typeof value === 'object' && Symbol.iterator in value)
      return Array.from(value as Iterable<unknown>, toJson);
    return String(value);
  };
  return (i) => {
    try {
      return toJson(vector.get(i));
    } catch {
      return null;
    }
  };
}

/** Reader of one Data's values, nulls ignored. */
function valueReader(data: Data): Reader {
  const type: DataType = data.type;
  switch (type.typeId) {
    case Type.Null:
      return () => null;
    case Type.Bool: {
      const bits = data.values as Uint8Array;
      const offset = data.offset;
      return (i) => ((bits[(offset + i) >> 3] as number) & (1 << ((offset + i) & 7))) !== 0;
    }
    case Type.Int: {
      const { bitWidth, isSigned } = type as Int;
      if (bitWidth === 64) return int64Reader(data.values as unknown as BigInt64Array, isSigned);
      const values = data.values as Int32Array;
      return (i) => values[i] as number;
    }
    case Type.Float: {
      if ((type as Float).precision === Precision.HALF) {
        const halves = data.values as Uint16Array;
        return (i) => floatToJson(halfToNumber(halves[i] as number));
      }
      const values = data.values as Float64Array;
      return (i) => floatToJson(values[i] as number);
    }
    case Type.Decimal: {
      const { bitWidth, scale } = type as Decimal;
      return decimalReader(data.values as Uint32Array, bitWidth / 32, scale);
    }
    case Type.Date: {
      if ((type as Date_).unit === DateUnit.DAY) {
        const days = data.values as Int32Array;
        return (i) => dateDayText(days[i] as number);
      }
      const at = int64At(data.values as unknown as BigInt64Array, true);
      return (i) => dateMillisecondText(at(i));
    }
    case Type.Timestamp: {
      const { unit, timezone } = type as Timestamp;
      const zoned = Boolean(timezone);
      const at = int64At(data.values as unknown as BigInt64Array, true);
      return (i) => {
        const value = at(i);
        return typeof value === 'number'
          ? safeEpochToIso(value, unit, zoned)
          : epochToIso(value, unit, zoned);
      };
    }
    case Type.Time: {
      const { unit } = type as Time;
      if ((type as Time).bitWidth === 32) {
        const values = data.values as Int32Array;
        return (i) => safeTimeOfDay(values[i] as number, unit);
      }
      const at = int64At(data.values as unknown as BigInt64Array, true);
      return (i) => timeOfDay(at(i), unit);
    }
    case Type.Duration: {
      const unit = (type as unknown as { unit: number }).unit;
      const at = int64At(data.values as unknown as BigInt64Array, true);
      return (i) => isoDuration(0, 0, at(i), unit);
    }
    case Type.Interval:
      return intervalReader(data.values as Int32Array, (type as Interval).unit);
    case Type.Utf8:
      return variableWidthReader(data, 'utf8', false);
    case Type.LargeUtf8:
      return variableWidthReader(data, 'utf8', true);
    case Type.Binary:
      return variableWidthReader(data, 'base64', false);
    case Type.LargeBinary:
      return variableWidthReader(data, 'base64', true);
    case Type.Utf8View:
      return viewReader(data, 'utf8');
    case Type.BinaryView:
      return viewReader(data, 'base64');
    case Type.FixedSizeBinary: {
      const width = (type as FixedSizeBinary).byteWidth;
      const text = byteText(data.values as Uint8Array | undefined, 'base64');
      return (i) => text(i * width, (i + 1) * width);
    }
    case Type.List:
    case Type.LargeList:
      return listReader(data);
    case Type.FixedSizeList:
      return fixedSizeListReader(data);
    case Type.Struct:
      return structReader(data);
    case Type.Map:
      return mapReader(data);
    case Type.Dictionary:
      return dictionaryReader(data);
    case Type.Union:
      return unionReader(data);
    default:
      return fallbackReader(data);
  }
}

/**
 * Reader of one Data (a column, or a nested child): built once per batch,
 * it reads the raw buffers with the Data's offset and validity bitmap.
 */
function readerFor(data: Data): Reader {
  const read = valueReader(data);
  const typeId = data.type.typeId;
  // Null has no bitmap; a union's nulls live in its children.
  if (typeId === Type.Null || typeId === Type.Union) return read;
  const bitmap = data.nullBitmap;
  if (!bitmap || bitmap.length === 0 || data.nullCount <= 0) return read;
  const offset = data.offset;
  return (i) => {
    const position = offset + i;
    return ((bitmap[position >> 3] as number) & (1 << (position & 7))) !== 0 ? read(i) : null;
  };
}

/** Converts record batches of one schema into JSON row objects. */
export class JsonRowEncoder {
  private readonly names: string[];

  constructor(schema: Schema) {
    this.names = schema.fields.map((field) => field.name);
  }

  *rows(batch: RecordBatch): Generator<RowObject> {
    const names = this.names;
    const readers = batch.data.children.map(readerFor);
    const plain = !names.includes('__proto__');
    for (let row = 0; row < batch.numRows; row++) {
      const out: RowObject = {};
      for (let c = 0; c < readers.length; c++) {
        const value = (readers[c] as Reader)(row);
        if (plain) out[names[c] as string] = value;
        else assign(out, names[c] as string, value);
      }
      yield out;
    }
  }
}
