import type { DuckDBConnection } from '@duckdb/node-api';
import { qualifiedName, quoteIdentifier, type SqlValue, TributaryError } from '@tributary/core';
import {
  type EngineOptions,
  type IpcChunk,
  QueryEngine,
  type StreamOptions,
  type StreamSummary,
} from '@tributary/engine';
import type pg from 'pg';
import Cursor from 'pg-cursor';
import type { SourceConnector } from '../source-connector.js';
import { PgArrowEncoder, type PgField } from './arrow-batches.js';
import { type PgTable, PostgresSource } from './postgres-source.js';
import { baseTables, mentionedColumns, type PushdownQuery, pushdownQuery } from './pushdown.js';
import { type ScanFilter, scanFilter } from './scan-filters.js';
import { castExpression, columnKind, readExpression, stageValue } from './types.js';

/** A PostgreSQL table read into DuckDB for a query: the columns it needs, the rows its filter keeps. */
interface Load {
  source: PostgresSource;
  /** The table's real schema and name. */
  schema: string;
  name: string;
  /** The table with only the needed columns. */
  table: PgTable;
  filter: ScanFilter | undefined;
}

/** A running query's messages and totals, whichever way it runs. */
export interface QueryRun extends AsyncIterable<IpcChunk> {
  readonly summary: StreamSummary;
}

export type QueryPath = 'engine' | 'pushdown' | 'fallback';

/** What the router reports as queries run (metrics). */
export interface QueryObserver {
  routed(path: QueryPath): void;
  /** Rows read from a PostgreSQL table into DuckDB for a query finished there. */
  rowsRead(source: string, rows: number): void;
}

const UNOBSERVED: QueryObserver = { routed: () => undefined, rowsRead: () => undefined };

interface Route {
  path: QueryPath;
  /** Runs the query; reports the path it finally takes to the observer. */
  run: (summary: StreamSummary) => AsyncGenerator<IpcChunk, void, undefined>;
}

/**
 * Sends each query where it can run: straight to the locked engine when it
 * reads no PostgreSQL table; whole to PostgreSQL when it reads one
 * PostgreSQL source only and its SQL is portable; otherwise into a
 * throw-away locked DuckDB that first reads the columns it needs from
 * PostgreSQL.
 */
export class QueryRouter {
  private readonly postgres: PostgresSource[];

  constructor(
    private readonly engine: QueryEngine,
    private readonly connectors: readonly SourceConnector[],
    private readonly engineOptions: EngineOptions,
    private readonly observer: QueryObserver = UNOBSERVED,
  ) {
    this.postgres = connectors.filter((c): c is PostgresSource => c instanceof PostgresSource);
  }

  stream(sql: string, params: readonly SqlValue[], options: StreamOptions = {}): QueryRun {
    if (this.postgres.length === 0) return this.engine.stream(sql, params, options);
    const summary: StreamSummary = { rowCount: 0, bytes: 0, batchCount: 0, truncated: false };
    const router = this;
    async function* messages(): AsyncGenerator<IpcChunk, void, undefined> {
      const route = await router.route(sql, params, options);
      yield* route.run(summary);
    }
    const iterator = messages();
    return { summary, [Symbol.asyncIterator]: () => iterator };
  }

  private async route(sql: string, params: readonly SqlValue[], options: StreamOptions): Promise<Route> {
    const viaEngine: Route = {
      path: 'engine',
      run: (summary) => {
        this.observer.routed('engine');
        return relay(this.engine.stream(sql, params, options), summary);
      },
    };
    const parsed = await this.engine
      .runTrusted<{ tree: string }>('SELECT json_serialize_sql($1::VARCHAR) AS tree', [sql])
      .then((rows) => JSON.parse(String(rows[0]?.tree)))
      .catch(() => undefined);
    // Anything DuckDB cannot parse as one SELECT is the engine's to refuse.
    if (!parsed || parsed.error || parsed.statements?.length !== 1) return viaEngine;
    const tables = baseTables(parsed.statements);
    const sourceOf = (catalog: string) =>
      this.postgres.find((s) => s.name.toLowerCase() === catalog.toLowerCase());
    const used = new Set(tables.map((t) => sourceOf(t.catalog)).filter((s) => s !== undefined));
    if (used.size === 0) return viaEngine;
    const needed = mentionedColumns(parsed.statements);
    const loads: Load[] = [];
    for (const ref of tables) {
      const source = sourceOf(ref.catalog);
      const table = source?.table(ref.schema || 'main', ref.table);
      if (
        !source ||
        !table ||
        loads.some((l) => l.source === source && l.name === table.name && l.schema === table.schema)
      )
        continue;
      const columns = needed ? table.columns.filter((c) => needed.has(c.name.toLowerCase())) : table.columns;
      const filter = source.config.pushdown_filters
        ? scanFilter(
            parsed.statements,
            { catalog: source.name, schema: table.schema, name: table.name, columns: table.columns },
            params,
          )
        : undefined;
      loads.push({ source, schema: table.schema, name: table.name, table: { ...table, columns }, filter });
    }
    const others = this.connectors.filter(
      (c) =>
        !(c instanceof PostgresSource) &&
        tables.some((t) => t.catalog.toLowerCase() === c.name.toLowerCase()),
    );
    const viaDuckDB: Route = {
      path: 'fallback',
      run: (summary) => {
        this.observer.routed('fallback');
        return this.fallback(loads, others, sql, params, options, summary);
      },
    };

    const [only] = used;
    if (used.size === 1 && only?.config.pushdown && tables.every((t) => sourceOf(t.catalog) === only)) {
      const query = pushdownQuery(
        parsed.statements[0],
        {
          source: only.name,
          table: (schema, name) => {
            const t = only.table(schema, name);
            return (
              t && {
                schema: t.schema,
                table: t.name,
                columns: t.columns.map((c) => ({ name: c.name, kind: columnKind(c.pgType) })),
              }
            );
          },
        },
        params,
      );
      if (query)
        return {
          path: 'pushdown',
          run: (summary) => this.pushdown(only, query, sql, params, options, summary, viaDuckDB),
        };
    }
    return viaDuckDB;
  }
  /**
   * Runs the whole query in PostgreSQL. The result keeps the types DuckDB
   * gives the same query: DuckDB runs it first over the source's empty
   * declared tables for its schema, and PostgreSQL's values are converted to
   * that schema. A result column PostgreSQL types differently (nothing
   * converts it exactly) sends the query to DuckDB after all.
   */
  private async *pushdown(
    source: PostgresSource,
    query: PushdownQuery,
    sql: string,
    params: readonly SqlValue[],
    options: StreamOptions,
    summary: StreamSummary,
    otherwise: Route,
  ): AsyncGenerator<IpcChunk, void, undefined> {
    const schema = await this.resultSchema(sql, params, options);
    const session = await Session.open(source, options, this.engineOptions.queryTimeoutMs);
    let encoder: PgArrowEncoder | undefined;
    try {
      const cursor = session.client.query(
        new Cursor(query.sql, query.params as never[], { rowMode: 'array' }),
      );
      const maxRows = options.maxRows && options.maxRows > 0 ? options.maxRows : Number.POSITIVE_INFINITY;
      // PostgreSQL refusing SQL DuckDB accepted (`min(boolean)`…) means it was not portable after all.
      const first = await session.read(cursor, source.config.fetch_rows).catch((error: unknown) => {
        if (/^(42|0A)/.test(sqlState(error))) return undefined;
        throw error;
      });
      encoder = first && PgArrowEncoder.create(schema, first.fields);
      if (encoder) {
        this.observer.routed('pushdown');
        summary.bytes += schema.byteLength;
        yield { ipc: schema, rowCount: 0 };
        let remaining = maxRows;
        for (let batch = first as NonNullable<typeof first>; batch.rows.length > 0; ) {
          let rows = batch.rows;
          if (rows.length > remaining) {
            rows = rows.slice(0, remaining);
            summary.truncated = true;
          }
          if (rows.length > 0) {
            const ipc = encoder.batchMessage(rows);
            summary.rowCount += rows.length;
            summary.bytes += ipc.byteLength;
            summary.batchCount++;
            remaining -= rows.length;
            yield { ipc, rowCount: rows.length };
          }
          if (summary.truncated) break;
          batch = await session.read(cursor, source.config.fetch_rows);
          if (remaining === 0 && batch.rows.length > 0) {
            summary.truncated = true;
            break;
          }
        }
        await new Promise<void>((resolve) => cursor.close(() => resolve()));
        session.finished = true;
      }
    } finally {
      await session.close();
    }
    if (!encoder) yield* otherwise.run(summary);
  }

  /** The Arrow schema message DuckDB gives `sql`, from a run over the declared (empty) tables. */
  private async resultSchema(
    sql: string,
    params: readonly SqlValue[],
    options: StreamOptions,
  ): Promise<Uint8Array> {
    const iterator = this.engine
      .stream(sql, params, { signal: options.signal, timeoutMs: options.timeoutMs })
      [Symbol.asyncIterator]();
    try {
      const first = await iterator.next();
      if (first.done) throw new TributaryError('INTERNAL', 'the engine gave no result schema');
      return first.value.ipc;
    } finally {
      await iterator.return(undefined);
    }
  }

  private async *fallback(
    loads: Load[],
    others: SourceConnector[],
    sql: string,
    params: readonly SqlValue[],
    options: StreamOptions,
    summary: StreamSummary,
  ): AsyncGenerator<IpcChunk, void, undefined> {
    const scratch = await QueryEngine.open(
      {
        ...this.engineOptions,
        maxConcurrentQueries: 1,
        allowedDirectories: others.flatMap((c) => c.readablePaths),
      },
      async (connection) => {
        for (const other of others) await other.attach(connection);
        for (const source of new Set(loads.map((l) => l.source))) {
          await source.declare(connection, []);
          for (const load of loads.filter((l) => l.source === source))
            await this.load(connection, load, options);
        }
      },
    ).catch((error: unknown) => {
      throw error instanceof TributaryError
        ? error
        : TributaryError.unavailable(`reading from PostgreSQL failed: ${(error as Error).message}`);
    });
    try {
      yield* relay(scratch.stream(sql, params, options), summary);
    } finally {
      await scratch.close();
    }
  }

  /**
   * Streams one table's needed columns — of the rows its pushed filter keeps,
   * if any — from a cursor into a DuckDB table of the mapped types.
   */
  private async load(connection: DuckDBConnection, load: Load, options: StreamOptions): Promise<void> {
    const { source, filter } = load;
    let table = load.table;
    const target = qualifiedName(source.name, table.schema, table.name);
    if (table.columns.length === 0) {
      // Only the row count matters (e.g. count(*)): one constant column keeps it.
      table = { ...table, columns: [{ name: '__row', pgType: 'boolean', nullable: true }] };
    }
    const staging = `__staging_${Math.random().toString(36).slice(2)}`;
    await connection.run(
      `CREATE TEMP TABLE ${quoteIdentifier(staging)} (${table.columns.map((_, i) => `c${i} VARCHAR`).join(', ')})`,
    );
    const session = await Session.open(source, options, this.engineOptions.queryTimeoutMs);
    try {
      const select = table.columns
        .map((c) => (c.name === '__row' ? 'true::text' : readExpression(quoteIdentifier(c.name), c.pgType)))
        .join(', ');
      const from = `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}`;
      const where = filter ? ` WHERE ${filter.where}` : '';
      const cursor = session.client.query(
        new Cursor(`SELECT ${select} FROM ${from}${where}`, filter?.params ?? [], { rowMode: 'array' }),
      );
      const appender = await connection.createAppender(staging, 'main', 'temp');
      const stage = table.columns.map((c) => stageValue(c.pgType));
      let read = 0;
      for (;;) {
        const { rows } = await session.read(cursor, source.config.fetch_rows);
        if (rows.length === 0) break;
        read += rows.length;
        for (const row of rows) {
          row.forEach((value, i) => {
            if (value === null) appender.appendNull();
            else appender.appendVarchar((stage[i] as (text: string) => string)(value));
          });
          appender.endRow();
        }
      }
      appender.closeSync();
      session.finished = true;
      this.observer.rowsRead(source.name, read);
    } finally {
      await session.close();
    }
    const columns = table.columns
      .map((c, i) => `${castExpression(`c${i}`, c.pgType)} AS ${quoteIdentifier(c.name)}`)
      .join(', ');
    await connection.run(`CREATE SCHEMA IF NOT EXISTS ${qualifiedName(source.name, table.schema)}`);
    await connection.run(`CREATE TABLE ${target} AS SELECT ${columns} FROM ${quoteIdentifier(staging)}`);
    await connection.run(`DROP TABLE ${quoteIdentifier(staging)}`);
  }
}

/** The SQLSTATE of the PostgreSQL error behind a translated error, or ''. */
function sqlState(error: unknown): string {
  return String((error as { cause?: { code?: unknown } }).cause?.code ?? '');
}

async function* relay(run: QueryRun, summary: StreamSummary): AsyncGenerator<IpcChunk, void, undefined> {
  for await (const chunk of run) yield chunk;
  Object.assign(summary, run.summary);
}

const CANCEL_RETRY_MS = 250;
const CANCEL_ATTEMPTS = 40;

/**
 * One read-only PostgreSQL session for one query: the deadline becomes the
 * statement timeout, and the caller's cancellation a cancel request to the
 * backend.
 */
class Session {
  finished = false;
  private cancelled = false;
  private closed = false;
  /** The read PostgreSQL is working on, if any. */
  private inFlight: Promise<unknown> | undefined;
  private readonly onAbort: () => void;

  private constructor(
    private readonly source: PostgresSource,
    readonly client: pg.Client,
    private readonly signal: AbortSignal | undefined,
    private readonly deadline: number,
  ) {
    this.onAbort = () => {
      this.cancelled = true;
      void this.cancelRunningRead();
    };
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  static async open(
    source: PostgresSource,
    options: StreamOptions,
    defaultTimeoutMs: number,
  ): Promise<Session> {
    const cancelled = () => new TributaryError('CANCELLED', 'the query was cancelled');
    if (options.signal?.aborted) throw cancelled();
    const timeoutMs = options.timeoutMs || defaultTimeoutMs;
    const client = await source.connect(timeoutMs);
    // A cancellation while connecting found no session to stop: it is honoured here.
    if (options.signal?.aborted) {
      await client.end().catch(() => undefined);
      throw cancelled();
    }
    return new Session(source, client, options.signal, timeoutMs);
  }

  read(cursor: Cursor, rows: number): Promise<{ rows: (string | null)[][]; fields: PgField[] }> {
    if (this.cancelled) return Promise.reject(new TributaryError('CANCELLED', 'the query was cancelled'));
    const read = new Promise<{ rows: (string | null)[][]; fields: PgField[] }>((resolve, reject) => {
      cursor.read(rows, (error, result) => {
        if (error) reject(this.translate(error));
        else {
          // pg-cursor keeps the row description on its result once PostgreSQL sent it.
          const fields = (cursor as unknown as { _result?: { fields?: PgField[] } })._result?.fields ?? [];
          resolve({ rows: result as unknown as (string | null)[][], fields });
        }
      });
    });
    this.inFlight = read;
    const done = () => {
      if (this.inFlight === read) this.inFlight = undefined;
    };
    read.then(done, done);
    return read;
  }

  /**
   * Asks PostgreSQL to cancel the running read until it ends. A cancel
   * request is acted on only while the backend executes; one landing while
   * it still reads the query's protocol messages (the query already shows
   * as active) is dropped, so a single request can leave the query running.
   */
  private async cancelRunningRead(): Promise<void> {
    for (let attempt = 0; attempt < CANCEL_ATTEMPTS && !this.closed; attempt++) {
      const read = this.inFlight;
      if (!read) return;
      await this.source.cancel(this.client);
      const ended = await Promise.race([
        read.then(
          () => true,
          () => true,
        ),
        new Promise<boolean>((resolve) => setTimeout(resolve, CANCEL_RETRY_MS, false)),
      ]);
      if (ended) return;
    }
  }

  private translate(error: Error): TributaryError {
    const code = (error as { code?: string }).code ?? '';
    const cause = { cause: error };
    if (this.cancelled || this.signal?.aborted)
      return new TributaryError('CANCELLED', 'the query was cancelled', undefined, cause);
    if (code === '57014')
      return new TributaryError(
        'DEADLINE_EXCEEDED',
        `the query exceeded its ${this.deadline} ms deadline`,
        undefined,
        cause,
      );
    if (/^(42|22|0A)/.test(code))
      return new TributaryError(
        'INVALID_ARGUMENT',
        `PostgreSQL refused the query: ${error.message}`,
        undefined,
        cause,
      );
    return new TributaryError(
      'UNAVAILABLE',
      `PostgreSQL source ${this.source.name} failed: ${error.message}`,
      undefined,
      cause,
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    // A query stopped early (error, cancellation, row limit) still runs in its backend until told otherwise.
    if (!this.finished && !this.cancelled) await this.source.cancel(this.client);
    await this.client.end().catch(() => undefined);
  }
}
