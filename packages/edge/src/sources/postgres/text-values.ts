/**
 * PostgreSQL's text output forms (DateStyle ISO, TimeZone UTC, IntervalStyle
 * postgres, as every session of the source sets them) turned into the
 * numbers DuckDB stores for the same values, so a value read here is the
 * value DuckDB's own cast of the same text would give.
 *
 * Written by hand: pg-types parses into JS Dates (milliseconds, no BC or
 * infinities) and postgres-interval rounds to milliseconds.
 */

/** DuckDB's ±infinity for DATE (int32 days) and TIMESTAMP (int64 µs). */
export const DATE_INFINITY = 2_147_483_647;
export const TIMESTAMP_INFINITY = 9_223_372_036_854_775_807n;

const MICROS_PER_DAY = 86_400_000_000n;

/** Days since 1970-01-01 of a proleptic Gregorian date (astronomical year: 1 BC is 0). */
export function daysFromCivil(year: number, month: number, day: number): number {
  // Howard Hinnant's days_from_civil: exact for every year, unlike Date.UTC (which maps 0–99 to 19xx).
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const DATE = /^(\d{4,})-(\d\d)-(\d\d)( BC)?$/;

/** DuckDB's day number for a PostgreSQL `date`. */
export function dateDays(text: string): number {
  if (text === 'infinity') return DATE_INFINITY;
  if (text === '-infinity') return -DATE_INFINITY;
  const m = DATE.exec(text);
  if (!m) throw new TypeError(`not a PostgreSQL date: ${text}`);
  return daysFromCivil(civilYear(m[1] as string, m[4]), Number(m[2]), Number(m[3]));
}

const TIME = /^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/;

/** Microseconds since midnight of a PostgreSQL `time` (24:00:00 included, as in both systems). */
export function timeMicros(text: string): bigint {
  const m = TIME.exec(text);
  if (!m) throw new TypeError(`not a PostgreSQL time: ${text}`);
  return clockMicros(m[1] as string, m[2] as string, m[3] as string, m[4]);
}

const TIMESTAMP =
  /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?)?( BC)?$/;

/** Microseconds since the epoch of a PostgreSQL `timestamp` or `timestamptz` (any offset). */
export function timestampMicros(text: string): bigint {
  if (text === 'infinity') return TIMESTAMP_INFINITY;
  if (text === '-infinity') return -TIMESTAMP_INFINITY;
  const m = TIMESTAMP.exec(text);
  if (!m) throw new TypeError(`not a PostgreSQL timestamp: ${text}`);
  const [, y, mo, d, h, mi, s, frac, sign, oh, om, os, bc] = m;
  const days = daysFromCivil(civilYear(y as string, bc), Number(mo), Number(d));
  let micros = BigInt(days) * MICROS_PER_DAY + clockMicros(h as string, mi as string, s as string, frac);
  if (sign) {
    const offset = BigInt((Number(oh) * 3600 + Number(om ?? 0) * 60 + Number(os ?? 0)) * 1_000_000);
    micros -= sign === '+' ? offset : -offset;
  }
  return micros;
}

export interface IntervalParts {
  months: number;
  days: number;
  micros: bigint;
}

const INTERVAL_UNIT = /^([+-]?\d+) (years?|mons?|days?)$/;
const INTERVAL_CLOCK = /^([+-])?(\d+):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/;

/**
 * A PostgreSQL `interval` in its default output style, e.g.
 * `1 year 2 mons -3 days +04:05:06.5`: months, days and microseconds, the
 * three fields both PostgreSQL and DuckDB store.
 */
export function intervalParts(text: string): IntervalParts {
  const parts: IntervalParts = { months: 0, days: 0, micros: 0n };
  const tokens = text.split(' ');
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const clock = INTERVAL_CLOCK.exec(token);
    if (clock) {
      const micros = clockMicros(clock[2] as string, clock[3] as string, clock[4] as string, clock[5]);
      parts.micros += clock[1] === '-' ? -micros : micros;
      continue;
    }
    const unit = INTERVAL_UNIT.exec(`${token} ${tokens[i + 1] ?? ''}`);
    if (!unit) throw new TypeError(`not a PostgreSQL interval: ${text}`);
    i++;
    const n = Number(unit[1]);
    const name = unit[2] as string;
    if (name.startsWith('year')) parts.months += n * 12;
    else if (name.startsWith('mon')) parts.months += n;
    else parts.days += n;
  }
  return parts;
}

/**
 * The unscaled integer of a decimal text at `scale` digits after the point,
 * rounding half away from zero as DuckDB's cast to DECIMAL does.
 */
export function scaledDecimal(text: string, scale: number): bigint {
  const m = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new TypeError(`not a decimal number: ${text}`);
  let digits = `${m[2]}${m[3] ?? ''}`;
  // The decimal point sits `point` digits into `digits`.
  let point = (m[2] as string).length + Number(m[4] ?? 0);
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  const wanted = point + scale;
  if (digits.length < wanted) digits = digits.padEnd(wanted, '0');
  let value = BigInt(digits.slice(0, wanted) || '0');
  if ((digits[wanted] ?? '0') >= '5') value += 1n;
  return m[1] === '-' ? -value : value;
}

function civilYear(digits: string, bc: string | undefined): number {
  // PostgreSQL writes 1 BC as `0001 … BC`; the proleptic calendar calls it year 0.
  return bc ? 1 - Number(digits) : Number(digits);
}

function clockMicros(h: string, m: string, s: string, frac: string | undefined): bigint {
  const seconds = BigInt(Number(h) * 3600 + Number(m) * 60 + Number(s));
  return seconds * 1_000_000n + BigInt((frac ?? '').padEnd(6, '0'));
}
