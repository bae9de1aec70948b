import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import type { QueryResult } from '@tributary/client';
import {
  csvHeader,
  csvRows,
  JsonRowEncoder,
  type RowObject,
  type SqlValue,
  TributaryError,
} from '@tributary/core';
import { formatTextTable } from '../output/text-table.js';
import { CONNECTION_OPTIONS, connect } from './connection.js';

const FORMATS = ['table', 'csv', 'json', 'ndjson', 'arrow'] as const;
type Format = (typeof FORMATS)[number];

/** `--param 42` binds an integer, `--param 4.2` a double, `--param null` NULL; anything else a string. */
export function parseParam(text: string): SqlValue {
  if (text === 'null') return null;
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+$/.test(text)) return BigInt(text);
  if (/^-?\d+\.\d+(e-?\d+)?$/i.test(text)) return Number(text);
  return text;
}

async function writeTo(out: NodeJS.WritableStream, text: string | Uint8Array): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

export async function printResult(
  result: QueryResult,
  format: Format,
  out: NodeJS.WritableStream,
): Promise<void> {
  if (format === 'arrow') {
    for await (const bytes of result.ipc()) await writeTo(out, bytes);
    return;
  }
  const { schema, batches } = await result.batches();
  const columns = schema.fields.map((f) => f.name);
  const encoder = new JsonRowEncoder(schema);
  if (format === 'table') {
    const rows: RowObject[] = [];
    for await (const batch of batches) for (const row of encoder.rows(batch)) rows.push(row);
    await writeTo(out, `${formatTextTable(columns, rows)}\n`);
    const meta = result.metadata;
    if (meta) {
      await writeTo(
        out,
        `(${Number(meta.row_count)} rows, ${Number(meta.execution_time_ms)} ms, query ${meta.query_id})\n`,
      );
    }
    return;
  }
  if (format === 'csv') await writeTo(out, csvHeader(columns));
  if (format === 'json') await writeTo(out, '[');
  let first = true;
  for await (const batch of batches) {
    if (format === 'csv') await writeTo(out, csvRows(columns, encoder.rows(batch)));
    else {
      let text = '';
      for (const row of encoder.rows(batch)) {
        text +=
          format === 'json' ? `${first ? '' : ','}\n${JSON.stringify(row)}` : `${JSON.stringify(row)}\n`;
        first = false;
      }
      await writeTo(out, text);
    }
  }
  if (format === 'json') await writeTo(out, '\n]\n');
}

export async function queryCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...CONNECTION_OPTIONS,
      param: { type: 'string', multiple: true, short: 'p' },
      format: { type: 'string', short: 'f', default: 'table' },
      output: { type: 'string', short: 'o' },
      limit: { type: 'string' },
    },
  });
  const sql = positionals.join(' ').trim();
  if (!sql) throw TributaryError.invalid('usage: tributary query "<sql>"');
  const format = values.format as Format;
  if (!FORMATS.includes(format))
    throw TributaryError.invalid(`--format must be one of ${FORMATS.join(', ')}`);
  const client = connect(values);
  const controller = new AbortController();
  const cancel = () => controller.abort();
  process.once('SIGINT', cancel);
  try {
    const result = client.query(sql, {
      params: (values.param ?? []).map(parseParam),
      limit: values.limit ? Number(values.limit) : 0,
      signal: controller.signal,
    });
    const out = values.output ? createWriteStream(values.output) : process.stdout;
    await printResult(result, format, out);
    if (values.output) {
      (out as NodeJS.WritableStream).end();
      await once(out, 'finish');
    }
    return 0;
  } finally {
    process.off('SIGINT', cancel);
    client.close();
  }
}
