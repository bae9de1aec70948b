import { parse as parseArray } from 'postgres-array';
import { intervalParts } from './text-values.js';

/**
 * PostgreSQL column types as DuckDB sees them. A type without a faithful
 * DuckDB counterpart is read as its text form (VARCHAR), so every column is
 * queryable and nothing is silently rounded.
 */
export interface PgColumn {
  name: string;
  /** `format_type()` of the column, e.g. `numeric(12,2)`, `integer[]`, `timestamp with time zone`. */
  pgType: string;
  nullable: boolean;
}

const SCALARS: Record<string, string> = {
  smallint: 'SMALLINT',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  real: 'FLOAT',
  'double precision': 'DOUBLE',
  boolean: 'BOOLEAN',
  text: 'VARCHAR',
  name: 'VARCHAR',
  'character varying': 'VARCHAR',
  character: 'VARCHAR',
  bpchar: 'VARCHAR',
  date: 'DATE',
  'timestamp without time zone': 'TIMESTAMP',
  'timestamp with time zone': 'TIMESTAMPTZ',
  'time without time zone': 'TIME',
  uuid: 'UUID',
  json: 'JSON',
  jsonb: 'JSON',
  bytea: 'BLOB',
  interval: 'INTERVAL',
};

/** The DuckDB type for a PostgreSQL `format_type()` string. */
export function duckTypeOf(pgType: string): string {
  if (pgType.endsWith('[]')) {
    const element = duckTypeOf(pgType.slice(0, -2));
    // Nested arrays and arrays of text-read types stay text.
    return element === 'VARCHAR' && !isTextual(pgType.slice(0, -2)) ? 'VARCHAR' : `${element}[]`;
  }
  const base = pgType.replace(/\(.*\)/, '').trim();
  if (base === 'numeric') {
    const m = /^numeric\((\d+),(\d+)\)$/.exec(pgType.replace(/\s/g, ''));
    // DuckDB decimals hold at most 38 digits; unconstrained numerics may hold more.
    if (m && Number(m[1]) <= 38) return `DECIMAL(${m[1]},${m[2]})`;
    return 'VARCHAR';
  }
  return SCALARS[base] ?? 'VARCHAR';
}

/** How a column compares in PostgreSQL next to DuckDB (see pushdown.ts). */
export function columnKind(pgType: string): 'plain' | 'text' | 'opaque' {
  const duck = duckTypeOf(pgType);
  if (isPadded(pgType)) return 'opaque';
  if (duck === 'VARCHAR') return isTextual(pgType) ? 'text' : 'opaque';
  if (duck === 'JSON' || duck === 'INTERVAL' || duck.endsWith('[]')) return 'opaque';
  return 'plain';
}

function isTextual(pgType: string): boolean {
  const base = pgType.replace(/\(.*\)/, '').trim();
  return ['text', 'name', 'character varying', 'character', 'bpchar'].includes(base);
}

function isPadded(pgType: string): boolean {
  const base = pgType.replace(/\(.*\)/, '').trim();
  return base === 'character' || base === 'bpchar';
}

/**
 * The expression that reads a column from PostgreSQL in a text form: bytea
 * as hex (DuckDB's BLOB cast would read `\x` escapes), everything else as
 * PostgreSQL's own text output, which `stageValue` then adjusts.
 */
export function readExpression(quoted: string, pgType: string): string {
  if (duckTypeOf(pgType) === 'BLOB') return `encode(${quoted}, 'hex')`;
  return `${quoted}::text`;
}

const identity = (text: string) => text;

/**
 * Rewrites a PostgreSQL text value where DuckDB's cast would read it
 * differently: arrays become JSON lists of their elements' text (each
 * element then cast like a column of its type), intervals are spelled in
 * units DuckDB parses (`-1 days +02:03:00` is not one of its forms), BC
 * dates and timestamps carry their era where DuckDB reads it, padded `character(n)` elements lose their padding as a `character(n)`
 * column does in its text form.
 */
export function stageValue(pgType: string): (text: string) => string {
  const duck = duckTypeOf(pgType);
  if (duck.endsWith('[]')) {
    const element = elementValue(pgType.slice(0, -2));
    return (text) =>
      JSON.stringify(
        parseArray(text).map((item: unknown) => {
          if (Array.isArray(item)) throw new TypeError('multi-dimensional arrays are not supported');
          return item === null ? null : element(item as string);
        }),
      );
  }
  // A bytea column is read as bare hex already (see readExpression).
  return duck === 'BLOB' ? identity : elementValue(pgType);
}

function elementValue(pgType: string): (text: string) => string {
  const duck = duckTypeOf(pgType);
  if (duck === 'BLOB') return (text) => text.slice(2); // `\x0a1b` → hex, as a bytea column is read
  if (duck === 'INTERVAL') return duckInterval;
  if (duck === 'DATE' || duck.startsWith('TIMESTAMP')) return duckEra;
  if (isPadded(pgType)) return (text) => text.replace(/ +$/, '');
  return identity;
}

/** PostgreSQL ends a BC date or timestamp with ` BC`, which DuckDB ignores; DuckDB reads `(BC)` after the date. */
function duckEra(text: string): string {
  return text.endsWith(' BC') ? text.replace(/^(\d{4,}-\d\d-\d\d)(.*) BC$/, '$1 (BC)$2') : text;
}

function duckInterval(text: string): string {
  const { months, days, micros } = intervalParts(text);
  return `${months} months ${days} days ${micros} microseconds`;
}

/** The DuckDB expression turning a staged text column back into its type. */
export function castExpression(quoted: string, pgType: string): string {
  const duck = duckTypeOf(pgType);
  if (duck === 'VARCHAR') return quoted;
  if (duck === 'BLOB') return `unhex(${quoted})`;
  if (duck === 'BLOB[]')
    return `list_transform(CAST(CAST(${quoted} AS JSON) AS VARCHAR[]), lambda e: unhex(e))`;
  if (duck.endsWith('[]')) return `CAST(CAST(CAST(${quoted} AS JSON) AS VARCHAR[]) AS ${duck})`;
  return `CAST(${quoted} AS ${duck})`;
}
