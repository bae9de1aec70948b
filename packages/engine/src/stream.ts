import type { DuckDBDataChunk, DuckDBMaterializedResult, DuckDBResult } from '@duckdb/node-api';
import type { SqlValue } from '@tributary/core';
import { type BatchLimits, RecordBatchAssembler } from './arrow/record-batch-assembler.js';
import { translateDuckDBError } from './duckdb-errors.js';
import { bindParameters } from './params.js';
import type { ConnectionPool, Lease } from './pool.js';
import { QueryControl } from './query-control.js';
import { prepareReadOnly } from './statement-guard.js';
import { failedMidStream, streamFailed } from './stream-outcome.js';

export interface StreamOptions {
  /** Aborting it interrupts the query; the stream then fails with CANCELLED. */
  signal?: AbortSignal;
  /** Deadline for the whole query, queueing included; the engine's default when unset. Fails with DEADLINE_EXCEEDED. */
  timeoutMs?: number;
  /** Stop after exactly this many rows and report `truncated`. Unset or 0: no limit. */
  maxRows?: number;
  /** Cut record batches at this many rows (default 65,536). */
  batchRows?: number;
  /** …or at this many bytes of buffers, whichever comes first (default 1 MiB). */
  batchBytes?: number;
  /**
   * Compute the whole result before the first batch, for a caller that
   * cannot use any rows before it has all of them. A selective scan streams
   * as one small chunk per scanned vector, each fetched on its own trip to
   * DuckDB's thread; a computed result comes back in full chunks. First rows
   * come later, and the result is held by DuckDB (which may spill it) until read.
   */
  whole?: boolean;
}

/** One encapsulated Arrow IPC message: the schema (rowCount 0) or a record batch. */
export interface IpcChunk {
  ipc: Uint8Array;
  rowCount: number;
}

/** Totals of a stream, updated as it goes and final once iteration ends. */
export interface StreamSummary {
  rowCount: number;
  /** IPC bytes yielded, schema message included. */
  bytes: number;
  /** Record batches yielded (the schema message is not one). */
  batchCount: number;
  /** True when `maxRows` cut the result short. */
  truncated: boolean;
}

/**
 * The result of `QueryEngine.stream`: iterate it once for the IPC messages,
 * then read `summary`. Nothing runs until iteration starts.
 */
export class QueryStream implements AsyncIterable<IpcChunk> {
  readonly summary: StreamSummary = { rowCount: 0, bytes: 0, batchCount: 0, truncated: false };
  private readonly messages: AsyncGenerator<IpcChunk, void, undefined>;

  /** @internal Created by `QueryEngine.stream`. */
  constructor(run: (summary: StreamSummary) => AsyncGenerator<IpcChunk, void, undefined>) {
    this.messages = run(this.summary);
  }

  [Symbol.asyncIterator](): AsyncGenerator<IpcChunk, void, undefined> {
    return this.messages;
  }
}

export interface StreamContext {
  pool: ConnectionPool;
  defaultTimeoutMs: number;
  /** Lets the engine stop every running query on close; returns the unregister function. */
  register(control: QueryControl): () => void;
}

export const DEFAULT_BATCH_ROWS = 65_536;
export const DEFAULT_BATCH_BYTES = 1 << 20;

const ignore = () => undefined;

/**
 * Runs one read-only statement and yields its schema, then its record batches.
 * The next DuckDB chunk is fetched while the current one is converted and
 * handed to the consumer, so DuckDB and the conversion overlap.
 */
export async function* streamQuery(
  context: StreamContext,
  sql: string,
  params: readonly SqlValue[],
  options: StreamOptions,
  summary: StreamSummary,
): AsyncGenerator<IpcChunk, void, undefined> {
  const control = new QueryControl(options.signal, options.timeoutMs || context.defaultTimeoutMs);
  const unregister = context.register(control);
  const limits: BatchLimits = {
    rows: positive(options.batchRows, DEFAULT_BATCH_ROWS),
    bytes: positive(options.batchBytes, DEFAULT_BATCH_BYTES),
  };
  const maxRows = options.maxRows && options.maxRows > 0 ? options.maxRows : Number.POSITIVE_INFINITY;
  let lease: Lease | undefined;
  // True while the consumer holds the stream at a `yield`: an abort then has
  // to give the connection back itself, since this code is not running (and
  // may never run again if the consumer drops the stream without `return()`).
  let suspended = false;
  let finished = false;
  control.onAbort(() => {
    lease?.stop(control.reason);
    if (suspended) {
      lease?.release();
      unregister();
    }
  });

  try {
    lease = await context.pool.acquire(control.signal);
    control.throwIfAborted();
    const held = lease;
    const prepared = await prepareReadOnly(held, sql);
    held.defer(() => prepared.destroySync());
    bindParameters(prepared, params);
    const result: DuckDBResult = await held.run(() => (options.whole ? prepared.run() : prepared.stream()));
    control.throwIfAborted();

    const assembler = new RecordBatchAssembler(result.columnNames(), result.columnTypes(), limits);
    const fetch = options.whole
      ? chunksOf(result as DuckDBMaterializedResult)
      : (): Promise<DuckDBDataChunk | null> => {
          const next = held.run(() => result.fetchChunk());
          next.catch(ignore); // awaited below, or abandoned when the stream stops early
          return next;
        };

    const schema = assembler.schemaMessage();
    summary.bytes += schema.byteLength;
    suspended = true;
    yield { ipc: schema, rowCount: 0 };
    suspended = false;
    control.throwIfAborted();

    let pending = fetch();
    let remaining = maxRows;
    let produced = 0;
    for (;;) {
      const chunk = await pending;
      control.throwIfAborted();
      const size = chunk?.rowCount ?? 0;
      if (size === 0) {
        if (streamFailed(result)) throw failedMidStream(produced);
        break;
      }
      if (remaining === 0) {
        summary.truncated = true;
        break;
      }
      const take = Math.min(size, remaining);
      if (take === size) pending = fetch();
      remaining -= take;
      produced += take;

      assembler.attach((chunk as DuckDBDataChunk).chunk, size);
      let offset = 0;
      while (offset < take) {
        offset += assembler.append(offset, take - offset);
        if (assembler.isFull) {
          const rows = assembler.rowCount;
          const ipc = assembler.flush();
          count(summary, ipc, rows);
          suspended = true;
          yield { ipc, rowCount: rows };
          suspended = false;
          control.throwIfAborted();
        }
      }
      if (take < size) {
        summary.truncated = true;
        break;
      }
    }
    if (assembler.rowCount > 0) {
      const rows = assembler.rowCount;
      const ipc = assembler.flush();
      count(summary, ipc, rows);
      suspended = true;
      yield { ipc, rowCount: rows };
      suspended = false;
    }
    finished = true;
  } catch (error) {
    throw translateDuckDBError(error, control.aborted ? control.reason : undefined);
  } finally {
    // Reached on completion, on error, and when the consumer stops early
    // (`break`/`return` out of for-await): an unfinished query is interrupted
    // before its connection goes back.
    suspended = false;
    if (lease && !lease.isReleased) {
      if (!finished || summary.truncated) lease.stop(new Error('the stream was closed'));
      lease.release();
    }
    control.dispose();
    unregister();
  }
}

/** A computed result's chunks in order, read without a trip to DuckDB's thread each. */
function chunksOf(result: DuckDBMaterializedResult): () => Promise<DuckDBDataChunk | null> {
  let next = 0;
  return () => Promise.resolve(next < result.chunkCount ? result.getChunk(next++) : null);
}

function count(summary: StreamSummary, ipc: Uint8Array, rows: number): void {
  summary.rowCount += rows;
  summary.bytes += ipc.byteLength;
  summary.batchCount++;
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}
