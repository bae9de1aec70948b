import type { JsonValue, RowObject } from '@tributary/core';

const MAX_CELL = 48;

function cell(value: JsonValue): string {
  const text = value === null ? 'NULL' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}

/** A plain aligned table for terminals; numbers right-aligned. */
export function formatTextTable(columns: string[], rows: RowObject[]): string {
  const cells = rows.map((row) => columns.map((c) => cell(row[c] ?? null)));
  const numeric = columns.map(
    (c) => rows.length > 0 && rows.every((r) => r[c] === null || typeof r[c] === 'number'),
  );
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] as string).length)));
  const line = (parts: string[]) =>
    parts
      .map((p, i) => (numeric[i] ? p.padStart(widths[i] as number) : p.padEnd(widths[i] as number)))
      .join(' │ ');
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─');
  return [line(columns), rule, ...cells.map(line)].join('\n');
}
