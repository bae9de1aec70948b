import { RecordBatchReader, type Table, tableFromIPC } from 'apache-arrow';
import type { QueryMetadata, QueryResultChunk } from '../proto/types.js';

/** Arrow IPC end-of-stream marker: continuation token then a zero length. */
export const ARROW_EOS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

export const ARROW_STREAM_MEDIA_TYPE = 'application/vnd.apache.arrow.stream';

/**
 * Splits a result stream into the Arrow IPC bytes (ending with the EOS marker)
 * and the trailing metadata, which is resolved once the stream ends.
 */
export function splitResultStream(chunks: AsyncIterable<QueryResultChunk>): {
  ipc: AsyncIterable<Uint8Array>;
  metadata: Promise<QueryMetadata>;
} {
  let resolveMetadata!: (metadata: QueryMetadata) => void;
  let rejectMetadata!: (error: unknown) => void;
  const metadata = new Promise<QueryMetadata>((resolve, reject) => {
    resolveMetadata = resolve;
    rejectMetadata = reject;
  });
  // A consumer may await only the rows; keep an unobserved failure from
  // crashing the process, it is still delivered through `ipc`.
  metadata.catch(() => undefined);
  async function* ipc(): AsyncGenerator<Uint8Array> {
    let seen: QueryMetadata | undefined;
    try {
      for await (const chunk of chunks) {
        if (chunk.arrow?.ipc && chunk.arrow.ipc.length > 0) yield chunk.arrow.ipc;
        else if (chunk.metadata) seen = chunk.metadata;
      }
      yield ARROW_EOS;
    } catch (error) {
      rejectMetadata(error);
      throw error;
    }
    if (seen) resolveMetadata(seen);
    else rejectMetadata(new Error('result stream ended without metadata'));
  }
  return { ipc: ipc(), metadata };
}

/** Reads record batches as they arrive from a stream of IPC byte chunks. */
export async function openBatchReader(ipc: AsyncIterable<Uint8Array>) {
  return RecordBatchReader.from(ipc);
}

/** Collects a whole (small) result into a Table. */
export async function collectTable(ipc: AsyncIterable<Uint8Array>): Promise<Table> {
  const parts: Uint8Array[] = [];
  for await (const part of ipc) parts.push(part);
  return tableFromIPC(Buffer.concat(parts));
}
