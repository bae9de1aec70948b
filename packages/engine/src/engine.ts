import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { quoteIdentifier, type SqlValue, TributaryError } from '@tributary/core';
import { translateDuckDBError } from './duckdb-errors.js';
import { type LoadSummary, loadArrow } from './ingest/load-arrow.js';
import { lockDown } from './lockdown.js';
import { bindParameters } from './params.js';
import { ConnectionPool, type Lease } from './pool.js';
import { QueryControl } from './query-control.js';
import { QueryStream, type StreamOptions, streamQuery } from './stream.js';

export interface EngineOptions {
  /** DuckDB `memory_limit`, e.g. '1GB'. */
  memoryLimit: string;
  /** DuckDB worker threads; DuckDB's default (the core count) when unset. */
  threads?: number;
  /** Default deadline per query. */
  queryTimeoutMs: number;
  /** Connections in the pool, hence queries running at once; more wait in line. */
  maxConcurrentQueries: number;
  /** The only directories (or single files) queries may read once the engine is locked down. */
  allowedDirectories: string[];
  /** Where DuckDB spills when a query outgrows memory; DuckDB's default when unset. */
  tempDirectory?: string;
  /** DuckDB `max_temp_directory_size`: how much it may spill, e.g. '10GB'; DuckDB's default when unset. */
  maxTempDirectorySize?: string;
}

/** Runs on a privileged connection before lock-down: attach sources, create schemas and views. */
export type EngineSetup = (connection: DuckDBConnection) => Promise<void>;

/**
 * A locked-down, in-memory DuckDB with a pool of connections, streaming query
 * results as Arrow IPC.
 */
export class QueryEngine {
  private readonly controls = new Set<QueryControl>();
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly pool: ConnectionPool,
    private readonly options: EngineOptions,
  ) {}

  static async open(options: EngineOptions, setup?: EngineSetup): Promise<QueryEngine> {
    validate(options);
    const config: Record<string, string> = { memory_limit: options.memoryLimit };
    if (options.threads) config.threads = String(Math.trunc(options.threads));
    // The temp directory cannot be changed once external access is off, so it is fixed here.
    if (options.tempDirectory) config.temp_directory = options.tempDirectory;
    if (options.maxTempDirectorySize) config.max_temp_directory_size = options.maxTempDirectorySize;
    const instance = await DuckDBInstance.create(':memory:', config);
    try {
      const admin = await instance.connect();
      try {
        if (setup) await setup(admin);
        await lockDown(admin, options);
      } finally {
        admin.closeSync();
      }
      const connections = await Promise.all(
        Array.from({ length: options.maxConcurrentQueries }, () => instance.connect()),
      );
      return new QueryEngine(instance, new ConnectionPool(connections), options);
    } catch (error) {
      instance.closeSync();
      throw error;
    }
  }

  /** Queries holding a connection right now. */
  get activeQueries(): number {
    return this.pool.active;
  }

  /** Queries waiting for a connection. */
  get queuedQueries(): number {
    return this.pool.queued;
  }

  /**
   * Streams one read-only statement as Arrow IPC messages: the schema first
   * (also for an empty result), then record batches. Concatenated and
   * followed by the end-of-stream marker they form a valid IPC stream.
   */
  stream(sql: string, params: readonly SqlValue[] = [], options: StreamOptions = {}): QueryStream {
    return new QueryStream((summary) => {
      if (this.closed) return refuse(TributaryError.unavailable('the query engine is closed'));
      const context = {
        pool: this.pool,
        defaultTimeoutMs: this.options.queryTimeoutMs,
        register: (control: QueryControl) => this.register(control),
      };
      return streamQuery(context, sql, params, options, summary);
    });
  }

  /**
   * Runs trusted SQL (schema discovery and other metadata queries from the
   * edge itself) and returns its rows as JS objects. No statement guard; the
   * lock-down and the default deadline still apply.
   */
  async runTrusted<T = Record<string, unknown>>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    if (this.closed) throw TributaryError.unavailable('the query engine is closed');
    const control = new QueryControl(undefined, this.options.queryTimeoutMs);
    const unregister = this.register(control);
    const lease = await this.pool.acquire(control.signal).catch((error: unknown) => {
      control.dispose();
      unregister();
      throw error;
    });
    control.onAbort(() => lease.stop(control.reason));
    try {
      const prepared = await lease.run((connection) => connection.prepare(sql));
      lease.defer(() => prepared.destroySync());
      bindParameters(prepared, params);
      const reader = await lease.run(() => prepared.runAndReadAll());
      return reader.getRowObjectsJS() as T[];
    } catch (error) {
      throw translateDuckDBError(error, control.aborted ? control.reason : undefined);
    } finally {
      lease.release();
      control.dispose();
      unregister();
    }
  }

  /**
   * Creates table `name` from an Arrow IPC stream and appends all of it
   * (see ingest/). Used where the engine works over results that arrived
   * from elsewhere; the caller names the table and drops it when done.
   */
  async load(
    name: string,
    ipc: AsyncIterable<Uint8Array>,
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<LoadSummary> {
    if (this.closed) throw TributaryError.unavailable('the query engine is closed');
    const control = new QueryControl(options.signal, options.timeoutMs || this.options.queryTimeoutMs);
    const unregister = this.register(control);
    const summary: LoadSummary = { rowCount: 0, bytes: 0 };
    let lease: Lease | undefined;
    control.onAbort(() => lease?.stop(control.reason));
    try {
      lease = await this.pool.acquire(control.signal);
      await loadArrow(lease, name, ipc, summary, () => control.throwIfAborted());
      return summary;
    } catch (error) {
      throw translateDuckDBError(error, control.aborted ? control.reason : undefined);
    } finally {
      lease?.release();
      control.dispose();
      unregister();
    }
  }

  /** Drops a table made by `load`, if it exists. */
  async dropTable(name: string): Promise<void> {
    if (this.closed) return;
    const lease = await this.pool.acquire();
    try {
      await lease.run((connection) => connection.run(`DROP TABLE IF EXISTS ${quoteIdentifier(name)}`));
    } finally {
      lease.release();
    }
  }

  /** Stops running queries (they fail with UNAVAILABLE), waits for their connections, and closes DuckDB. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const shutdown = TributaryError.unavailable('the query engine is shutting down');
    for (const control of this.controls) control.abort(shutdown);
    await this.pool.close();
    this.instance.closeSync();
  }

  private register(control: QueryControl): () => void {
    this.controls.add(control);
    return () => this.controls.delete(control);
  }
}

// biome-ignore lint/correctness/useYield: fails on first use, like a stream whose query is refused
async function* refuse(error: TributaryError): AsyncGenerator<never, void, undefined> {
  throw error;
}

function validate(options: EngineOptions): void {
  if (!Number.isInteger(options.maxConcurrentQueries) || options.maxConcurrentQueries < 1) {
    throw new TypeError('maxConcurrentQueries must be a positive integer');
  }
  if (!(options.queryTimeoutMs > 0)) throw new TypeError('queryTimeoutMs must be positive');
  if (options.threads !== undefined && !(options.threads >= 1))
    throw new TypeError('threads must be at least 1');
  if (!Array.isArray(options.allowedDirectories)) throw new TypeError('allowedDirectories must be an array');
}
