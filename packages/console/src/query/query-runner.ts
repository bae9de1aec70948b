import { type GrpcWebClient, JsonRowEncoder, type QueryResult, type RowObject } from '@tributary/client/web';

/** Rows kept for display and charts; the counter keeps counting past it. */
export const ROW_CAP = 1_000;

export interface ResultColumn {
  name: string;
  type: string;
}

export interface QueryOutcome {
  columns: ResultColumn[];
  /** At most ROW_CAP rows, in result order. */
  rows: RowObject[];
  rowCount: number;
  requestId: string | undefined;
  /** Present when the stream completed. */
  metadata?: NonNullable<QueryResult['metadata']>;
  elapsedMs: number;
}

export interface RunCallbacks {
  onColumns(columns: ResultColumn[]): void;
  /** After each record batch: rows received so far. */
  onProgress(rowCount: number): void;
}

/**
 * Runs one query at a time over gRPC-Web, streaming: the row count grows with
 * each record batch, and cancel() aborts the call, which the coordinator
 * passes on to the edge.
 */
export class QueryRunner {
  private controller: AbortController | undefined;

  constructor(private readonly client: GrpcWebClient) {}

  get running(): boolean {
    return this.controller !== undefined;
  }

  cancel(): void {
    this.controller?.abort();
  }

  async run(sql: string, callbacks: RunCallbacks): Promise<QueryOutcome> {
    const controller = new AbortController();
    this.controller = controller;
    const started = performance.now();
    const result = this.client.query(sql, { signal: controller.signal });
    const outcome: QueryOutcome = {
      columns: [],
      rows: [],
      rowCount: 0,
      requestId: result.requestId,
      elapsedMs: 0,
    };
    try {
      const { schema, batches } = await result.batches();
      outcome.columns = schema.fields.map((field) => ({ name: field.name, type: String(field.type) }));
      callbacks.onColumns(outcome.columns);
      const encoder = new JsonRowEncoder(schema);
      for await (const batch of batches) {
        if (outcome.rows.length < ROW_CAP) {
          for (const row of encoder.rows(batch)) {
            if (outcome.rows.length >= ROW_CAP) break;
            outcome.rows.push(row);
          }
        }
        outcome.rowCount += batch.numRows;
        callbacks.onProgress(outcome.rowCount);
      }
      outcome.metadata = result.metadata;
      return outcome;
    } finally {
      outcome.elapsedMs = performance.now() - started;
      if (this.controller === controller) this.controller = undefined;
    }
  }
}
