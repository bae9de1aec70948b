import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { ARROW_STREAM_MEDIA_TYPE, JsonRowEncoder } from '@tributary/core';
import { RecordBatchReader } from 'apache-arrow';
import { metadataJson, type QueryExecution, resultIpc } from '../../services/index.js';

export type ResultFormat = 'json' | 'ndjson' | 'arrow';

/** Picks the representation from the Accept header; JSON unless Arrow or NDJSON is asked for. */
export function negotiateFormat(accept: string | undefined): ResultFormat {
  const value = (accept ?? '').toLowerCase();
  if (value.includes(ARROW_STREAM_MEDIA_TYPE)) return 'arrow';
  if (value.includes('application/x-ndjson') || value.includes('application/jsonl')) return 'ndjson';
  return 'json';
}

const CONTENT_TYPES: Record<ResultFormat, string> = {
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  arrow: ARROW_STREAM_MEDIA_TYPE,
};

async function write(res: ServerResponse, data: string | Uint8Array): Promise<void> {
  if (res.destroyed) throw new Error('client went away');
  if (!res.write(data)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
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
  const ipc = () => result.ipc;
  try {
    if (format === 'arrow') {
      for await (const bytes of ipc()) await write(res, bytes);
    } else {
      const reader = await RecordBatchReader.from(ipc());
      await reader.open();
      const encoder = new JsonRowEncoder(reader.schema);
      if (format === 'json') await write(res, '{"data":[');
      let first = true;
      for await (const batch of reader) {
        let text = '';
        for (const row of encoder.rows(batch)) {
          if (format === 'json') {
            text += (first ? '' : ',') + JSON.stringify(row);
            first = false;
          } else {
            text += `${JSON.stringify(row)}\n`;
          }
        }
        if (text) await write(res, text);
      }
      if (format === 'json') {
        await write(res, `],"metadata":${JSON.stringify(metadataJson(result.metadata() ?? {}))}}`);
      }
    }
    res.end();
  } catch (error) {
    res.destroy(error as Error);
    throw error;
  }
}
