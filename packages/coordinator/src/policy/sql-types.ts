// What masks and protections need to know about a column's DuckDB type.
// Catalog types come rendered by DuckDB ("VARCHAR", "DECIMAL(12,2)",
// "STRUCT(a INTEGER)"), so plain string checks suffice.

const TEXT = /^(VARCHAR|TEXT|STRING|CHAR|BPCHAR|NVARCHAR)(\s*\(\s*\d+\s*\))?$/i;
const INTEGER =
  /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT1|INT2|INT4|INT8)$/i;
const FLOAT = /^(FLOAT|REAL|DOUBLE|FLOAT4|FLOAT8)$/i;
const DECIMAL = /^(?:DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$/i;

export const isTextType = (sqlType: string | undefined): boolean =>
  sqlType !== undefined && TEXT.test(sqlType.trim());

export type NumericShape =
  | { kind: 'integer' }
  | { kind: 'float' }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'boolean' };

export function numericShape(sqlType: string | undefined): NumericShape | undefined {
  if (sqlType === undefined) return undefined;
  const type = sqlType.trim();
  if (INTEGER.test(type)) return { kind: 'integer' };
  if (FLOAT.test(type)) return { kind: 'float' };
  if (/^(BOOLEAN|BOOL)$/i.test(type)) return { kind: 'boolean' };
  const decimal = DECIMAL.exec(type);
  if (decimal) return { kind: 'decimal', precision: Number(decimal[1]), scale: Number(decimal[2]) };
  return undefined;
}

/**
 * The type as it may appear in generated SQL (`CAST(NULL AS <type>)`). The
 * catalog's text comes from edges; anything that does not look like a type
 * name becomes VARCHAR, as the analyzer's shadow catalog does. The rewrite
 * checks the generated projection's tree as well, so this is a first line only.
 */
export function castableType(sqlType: string): string {
  const type = sqlType.trim();
  if (!/^[A-Za-z][A-Za-z0-9_ (),."[\]]*$/.test(type)) return 'VARCHAR';
  if (type.includes('--') || (type.match(/"/g)?.length ?? 0) % 2 !== 0) return 'VARCHAR';
  let depth = 0;
  for (const c of type) {
    if (c === '(') depth++;
    if (c === ')' && --depth < 0) return 'VARCHAR';
  }
  return depth === 0 ? type : 'VARCHAR';
}
