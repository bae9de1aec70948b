import type { JsonValue, RowObject } from './json-values.js';

function field(value: JsonValue): string {
  if (value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 CSV lines; NULL is an empty field. */
export function csvHeader(columns: string[]): string {
  return `${columns.map(field).join(',')}\r\n`;
}

export function csvRows(columns: string[], rows: Iterable<RowObject>): string {
  let out = '';
  for (const row of rows) out += `${columns.map((c) => field(row[c] ?? null)).join(',')}\r\n`;
  return out;
}
