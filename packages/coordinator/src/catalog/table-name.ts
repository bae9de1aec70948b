import { type TableRef, TributaryError } from '@tributary/core';

/**
 * Parses `source.schema.table` or `source.table` (schema `main`). Parts may
 * be double-quoted to contain dots; quotes inside are doubled, as in SQL.
 */
export function parseTableName(name: string): TableRef {
  const parts: string[] = [];
  let i = 0;
  while (i <= name.length) {
    let part = '';
    if (name[i] === '"') {
      i++;
      for (;;) {
        if (i >= name.length) throw TributaryError.invalid(`unterminated quote in table name ${name}`);
        if (name[i] === '"') {
          if (name[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += name[i++];
      }
    } else {
      while (i < name.length && name[i] !== '.') part += name[i++];
    }
    parts.push(part);
    if (i >= name.length) break;
    if (name[i] !== '.') throw TributaryError.invalid(`unexpected character in table name ${name}`);
    i++;
  }
  if (parts.some((p) => p === '') || parts.length < 2 || parts.length > 3) {
    throw TributaryError.invalid(`table names are source.schema.table or source.table, got "${name}"`);
  }
  const [source, schema, table] = parts.length === 3 ? parts : [parts[0], 'main', parts[1]];
  return { source: source as string, schema: schema as string, table: table as string };
}

export function formatTableRef(ref: TableRef): string {
  return `${ref.source}.${ref.schema}.${ref.table}`;
}

export function tableKey(ref: TableRef): string {
  return `${ref.source}\u0000${ref.schema}\u0000${ref.table}`.toLowerCase();
}
