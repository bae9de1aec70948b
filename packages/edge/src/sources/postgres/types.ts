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

function isTextual(pgType: string): boolean {
  const base = pgType.replace(/\(.*\)/, '').trim();
  return ['text', 'name', 'character varying', 'character', 'bpchar'].includes(base);
}

/**
 * The expression that reads a column from PostgreSQL in a text form DuckDB
 * casts back exactly: arrays go through JSON (`[1,2]`, not `{1,2}`), bytea
 * as hex escapes DuckDB's BLOB cast understands, intervals in ISO 8601.
 */
export function readExpression(quoted: string, pgType: string): string {
  const duck = duckTypeOf(pgType);
  if (duck.endsWith('[]')) return `array_to_json(${quoted})::text`;
  if (duck === 'BLOB') return `encode(${quoted}, 'hex')`;
  if (duck === 'INTERVAL') return `${quoted}::text`;
  return `${quoted}::text`;
}

/** The DuckDB expression turning a staged text column back into its type. */
export function castExpression(quoted: string, pgType: string): string {
  const duck = duckTypeOf(pgType);
  if (duck === 'VARCHAR') return quoted;
  if (duck === 'BLOB') return `unhex(${quoted})`;
  if (duck.endsWith('[]')) return `CAST(CAST(${quoted} AS JSON) AS ${duck})`;
  return `CAST(${quoted} AS ${duck})`;
}
