import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import {
  ARROW_STREAM_MEDIA_TYPE,
  csvHeader,
  csvRows,
  JsonRowEncoder,
  TributaryError,
  WritableByteSink,
} from '@tributary/core';
import { type RecordBatch, RecordBatchReader, RecordBatchStreamWriter, type Schema } from 'apache-arrow';
import { metadataJson, type QueryExecution, resultIpc } from '../../services/index.js';

export const RESULT_FORMATS = ['json', 'ndjson', 'csv', 'arrow'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

/**
 * Picks the representation: an explicit `?format=` wins, then the Accept
 * header; JSON unless Arrow, NDJSON or CSV is asked for.
 */
export function negotiateFormat(accept: string | undefined, explicit?: string): ResultFormat {
  if (explicit !== undefined) {
    if (!(RESULT_FORMATS as readonly string[]).includes(explicit)) {
      throw TributaryError.invalid(`format must be one of ${RESULT_FORMATS.join(', ')}`);
    }
    return explicit as ResultFormat;
  }
  const value = (accept ?? '').toLowerCase();
  if (value.includes(ARROW_STREAM_MEDIA_TYPE)) return 'arrow';
  if (value.includes('application/x-ndjson') || value.includes('application/jsonl')) return 'ndjson';
  if (value.includes('text/csv')) return 'csv';
  return 'json';
}

export const CONTENT_TYPES: Record<ResultFormat, string> = {
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
  arrow: ARROW_STREAM_MEDIA_TYPE,
};

async function write(res: ServerResponse, data: string | Uint8Array): Promise<void> {
  if (res.destroyed) throw new Error('client went away');
  if (!res.write(data)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
}

/** Rows as text: one JSON document (`{"data":[...], ...}`), NDJSON lines or CSV with a header line. */
class RowText {
  private readonly encoder: JsonRowEncoder;
  private readonly columns: string[];
  private first = true;

  constructor(
    private readonly format: Exclude<ResultFormat, 'arrow'>,
    schema: Schema,
  ) {
    this.encoder = new JsonRowEncoder(schema);
    this.columns = schema.fields.map((field) => field.name);
  }

  begin(): string {
    if (this.format === 'json') return '{"data":[';
    return this.format === 'csv' ? csvHeader(this.columns) : '';
  }

  rows(batch: RecordBatch): string {
    const rows = this.encoder.rows(batch);
    if (this.format === 'csv') return csvRows(this.columns, rows);
    let text = '';
    for (const row of rows) {
      if (this.format === 'json') {
        text += (this.first ? '' : ',') + JSON.stringify(row);
        this.first = false;
      } else {
        text += `${JSON.stringify(row)}\n`;
      }
    }
    return text;
  }

  /** Closes the JSON document with its other members (`metadata`, `next_cursor`). */
  end(members: () => Record<string, unknown>): string {
    if (this.format !== 'json') return '';
    let text = ']';
    for (const [key, value] of Object.entries(members()))
      text += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
    return `${text}}`;
  }
}

/** Writes decoded record batches in a text format; `members` completes the JSON document. */
async function writeText(
  res: ServerResponse,
  format: Exclude<ResultFormat, 'arrow'>,
  schema: Schema,
  batches: AsyncIterable<RecordBatch>,
  members: () => Record<string, unknown>,
): Promise<void> {
  const text = new RowText(format, schema);
  const head = text.begin();
  if (head) await write(res, head);
  for await (const batch of batches) {
    const body = text.rows(batch);
    if (body) await write(res, body);
  }
  const tail = text.end(members);
  if (tail) await write(res, tail);
}

/**
 * Streams a query result to an HTTP response in the negotiated format,
 * batch by batch, never holding the whole result. Arrow bytes pass through
 * untouched. If the result fails after the status line is sent, the
 * connection is destroyed, so a client can never mistake a partial result
 * for a complete one.
 */
export async function writeResult(
  res: ServerResponse,
  execution: QueryExecution,
  format: ResultFormat,
  headers: Record<string, string>,
): Promise<void> {
  res.writeHead(200, { ...headers, 'content-type': CONTENT_TYPES[format], 'x-query-id': execution.queryId });
  const result = resultIpc(execution);
  try {
    if (format === 'arrow') {
      for await (const bytes of result.ipc) await write(res, bytes);
    } else {
      const reader = await RecordBatchReader.from(result.ipc);
      await reader.open();
      await writeText(res, format, reader.schema, reader, () => ({
        metadata: metadataJson(result.metadata() ?? {}),
      }));
    }
    res.end();
  } catch (error) {
    res.destroy(error as Error);
    throw error;
  }
}

export interface StoredRows {
  schema: Schema;
  batches: AsyncIterable<RecordBatch>;
  /** The rest of the JSON document after `data`. */
  members: () => Record<string, unknown>;
}

/** Streams stored rows (a page of a query run's result); Arrow is re-encoded as an IPC stream. */
export async function writeStoredRows(
  res: ServerResponse,
  rows: StoredRows,
  format: ResultFormat,
  headers: Record<string, string>,
): Promise<void> {
  res.writeHead(200, { ...headers, 'content-type': CONTENT_TYPES[format] });
  try {
    if (format === 'arrow') {
      const writer = new RecordBatchStreamWriter();
      writer.reset(new WritableByteSink(res), rows.schema);
      for await (const batch of rows.batches) {
        if (res.destroyed) throw new Error('client went away');
        writer.write(batch);
        if (res.writableNeedDrain) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
      writer.finish();
    } else {
      await writeText(res, format, rows.schema, rows.batches, rows.members);
    }
    res.end();
  } catch (error) {
    res.destroy(error as Error);
    throw error;
  }
}
