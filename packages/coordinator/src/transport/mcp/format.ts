import { JsonRowEncoder } from '@tributary/core';
import { RecordBatchReader } from 'apache-arrow';
import { metadataJson, type QueryExecution, resultIpc } from '../../services/index.js';

/** Longest cell shown in a text table; longer values are cut with an ellipsis. */
const MAX_CELL_CHARS = 120;

export interface CollectedResult {
  columns: string[];
  rows: Record<string, unknown>[];
  metadata: ReturnType<typeof metadataJson>;
}

/** JSON text for values that may hold bigints (kept exact as strings). */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), indent);
}

/**
 * Reads a whole (already row-limited) result: the Arrow IPC bytes are
 * decoded with the same JSON value mapping the HTTP gateway uses.
 */
export async function collectResult(execution: QueryExecution): Promise<CollectedResult> {
  const result = resultIpc(execution);
  const reader = await RecordBatchReader.from(result.ipc);
  await reader.open();
  const columns = reader.schema.fields.map((f) => f.name);
  const encoder = new JsonRowEncoder(reader.schema);
  const rows: Record<string, unknown>[] = [];
  for await (const batch of reader) {
    for (const row of encoder.rows(batch)) rows.push(row);
  }
  return { columns, rows, metadata: metadataJson(result.metadata() ?? { query_id: execution.queryId }) };
}

function cell(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) text = 'NULL';
  else if (typeof value === 'string') text = value;
  else text = toJson(value);
  text = text.replace(/[\r\n\t|]/g, (c) => (c === '|' ? '\\|' : ' '));
  return text.length > MAX_CELL_CHARS ? `${text.slice(0, MAX_CELL_CHARS - 1)}…` : text;
}

/** A compact Markdown-style table: header, separator, one line per row. */
export function textTable(columns: string[], rows: Record<string, unknown>[]): string {
  if (columns.length === 0) return '(no columns)';
  const lines = [`| ${columns.map(cell).join(' | ')} |`, `|${columns.map(() => ' --- |').join('')}`];
  for (const row of rows) lines.push(`| ${columns.map((c) => cell(row[c])).join(' | ')} |`);
  if (rows.length === 0) lines.push('(no rows)');
  return lines.join('\n');
}

/** The text an assistant reads for a query result: the table, then its metadata. */
export function resultText(result: CollectedResult, limit: number): string {
  const { metadata } = result;
  const notes = [
    `query_id: ${metadata.query_id}`,
    `row_count: ${result.rows.length}`,
    `truncated: ${metadata.truncated}`,
    `execution_time_ms: ${metadata.execution_time_ms}`,
  ];
  let text = `${textTable(result.columns, result.rows)}\n\n${notes.join(', ')}`;
  if (metadata.truncated) {
    text += `\nThe result was cut at ${limit} rows; aggregate, filter or raise limit (max 1000) to see more.`;
  }
  return text;
}
