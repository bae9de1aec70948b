import { type DuckDBAppender, DuckDBDataChunk } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { quoteIdentifier, TributaryError } from '@tributary/core';
import { type RecordBatch, RecordBatchReader } from 'apache-arrow';
import type { Lease } from '../pool.js';
import { columnWriter, duckdbColumnType } from './arrow-columns.js';

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = duckdb.vector_size();

export interface LoadSummary {
  rowCount: number;
  /** IPC bytes read. */
  bytes: number;
}

/**
 * Creates `table` (in the connection's default schema) with the columns of
 * an Arrow IPC stream and appends every record batch of it. The stream may
 * arrive in any cut (whole encapsulated messages, as edges send them, or
 * arbitrary slices).
 */
export async function loadArrow(
  lease: Lease,
  table: string,
  ipc: AsyncIterable<Uint8Array>,
  summary: LoadSummary,
  checkpoint: () => void,
): Promise<void> {
  const counted = countBytes(ipc, summary);
  const reader = await RecordBatchReader.from(counted);
  await reader.open();
  if (reader.isSync()) throw new TributaryError('INTERNAL', 'expected an asynchronous Arrow reader');
  const fields = reader.schema.fields;
  if (fields.length === 0) throw TributaryError.invalid('an Arrow stream without columns cannot be loaded');
  const columns = fields.map((field) => `${quoteIdentifier(field.name)} ${duckdbColumnType(field)}`);
  await lease.run((connection) =>
    connection.run(`CREATE TABLE ${quoteIdentifier(table)} (${columns.join(', ')})`),
  );
  const appender = await lease.run(async (connection) => connection.createAppender(table));
  try {
    const writers = fields.map(columnWriter);
    const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
    for await (const batch of reader) {
      checkpoint();
      append(appender, types, writers, batch);
      summary.rowCount += batch.numRows;
    }
    checkpoint();
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

function append(
  appender: DuckDBAppender,
  types: Parameters<typeof DuckDBDataChunk.create>[0],
  writers: ReturnType<typeof columnWriter>[],
  batch: RecordBatch,
): void {
  const columns = writers.map((_, i) => {
    const child = batch.getChildAt(i);
    if (child?.data.length !== 1) throw new TributaryError('INTERNAL', 'unexpected Arrow batch shape');
    return child.data[0]!;
  });
  for (let start = 0; start < batch.numRows; start += CHUNK_ROWS) {
    const count = Math.min(CHUNK_ROWS, batch.numRows - start);
    const chunk = DuckDBDataChunk.create(types, count);
    for (let i = 0; i < writers.length; i++) {
      writers[i]!(duckdb.data_chunk_get_vector(chunk.chunk, i), columns[i]!, start, count);
    }
    appender.appendDataChunk(chunk);
  }
}

async function* countBytes(ipc: AsyncIterable<Uint8Array>, summary: LoadSummary): AsyncGenerator<Uint8Array> {
  for await (const bytes of ipc) {
    summary.bytes += bytes.byteLength;
    yield bytes;
  }
}
