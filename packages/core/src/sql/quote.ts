/**
 * Quoting for SQL text that trusted code writes (configured paths, catalog
 * names). Values from callers never go through these: they are bound as
 * parameters.
 */
export function quoteIdentifier(name: string): string {
  if (name.includes('\u0000')) throw new Error('identifier contains a NUL character');
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('literal contains a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}

/** `"source"."schema"."table"` */
export function qualifiedName(...parts: string[]): string {
  return parts.map(quoteIdentifier).join('.');
}
