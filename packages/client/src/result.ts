import {
  ARROW_EOS,
  JsonRowEncoder,
  type QueryMetadata,
  type QueryResultChunk,
  type RowObject,
} from '@tributary/core/web';
import { type RecordBatch, RecordBatchReader, type Schema, type Table, tableFromIPC } from 'apache-arrow';

/**
 * A streaming query result. Iterate it for Arrow record batches as they
 * arrive, or collect it with `toTable()` / `toArray()`. Read it once.
 */
export class QueryResult implements AsyncIterable<RecordBatch> {
  private metadataValue: QueryMetadata | undefined;
  private consumed = false;
  /** The `x-request-id` the call was sent with, when the transport sets one (gRPC-Web does). */
  readonly requestId: string | undefined;

  constructor(
    private readonly chunks: AsyncIterable<QueryResultChunk>,
    private readonly cancel: () => void,
    info: { requestId?: string } = {},
  ) {
    this.requestId = info.requestId;
  }

  /** Metadata arrives last; available once the result has been read to the end. */
  get metadata(): QueryMetadata | undefined {
    return this.metadataValue;
  }

  /** The raw Arrow IPC stream bytes, EOS marker included, for writing to a file or forwarding. */
  async *ipc(): AsyncGenerator<Uint8Array> {
    if (this.consumed) throw new Error('a query result can be read only once');
    this.consumed = true;
    let done = false;
    try {
      for await (const chunk of this.chunks) {
        if (chunk.arrow?.ipc && chunk.arrow.ipc.length > 0) yield chunk.arrow.ipc;
        else if (chunk.metadata) this.metadataValue = chunk.metadata;
      }
      done = true;
      yield ARROW_EOS;
    } finally {
      if (!done) this.cancel();
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<RecordBatch> {
    const { batches } = await this.batches();
    yield* batches;
  }

  /** Batches with their schema, for consumers that need the schema even when no rows come back. */
  async batches(): Promise<{ schema: Schema; batches: AsyncGenerator<RecordBatch> }> {
    const ipc = this.ipc();
    const reader = await RecordBatchReader.from(ipc);
    await reader.open();
    const cancel = () => this.cancel();
    async function* guarded(): AsyncGenerator<RecordBatch> {
      let finished = false;
      try {
        yield* reader;
        finished = true;
      } finally {
        // apache-arrow's reader does not return() its source when the
        // consumer stops early, so the call is cancelled here and the edge
        // stops the query.
        if (!finished) {
          cancel();
          await ipc.return(undefined).catch(() => undefined);
        }
      }
    }
    return { schema: reader.schema, batches: guarded() };
  }

  async toTable(): Promise<Table> {
    const parts: Uint8Array[] = [];
    for await (const part of this.ipc()) parts.push(part);
    const bytes = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.length;
    }
    return tableFromIPC(bytes);
  }

  /** Rows as plain JSON-safe objects (big integers and decimals as strings, dates as ISO text). */
  async toArray(): Promise<RowObject[]> {
    const { schema, batches } = await this.batches();
    const encoder = new JsonRowEncoder(schema);
    const rows: RowObject[] = [];
    for await (const batch of batches) for (const row of encoder.rows(batch)) rows.push(row);
    return rows;
  }
}
