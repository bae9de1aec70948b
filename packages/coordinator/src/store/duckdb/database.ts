import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { SerialLane } from './serial-lane.js';

/** A bound value. Times travel as epoch-ms numbers and are converted in SQL. */
export type SqlParam = string | number | boolean | null;
export type SqlParams = Record<string, SqlParam>;
export type Row = Record<string, unknown>;

/** What a repository may do with a connection: SQL text is constant, values are always bound. */
export interface Sql {
  all(sql: string, params?: SqlParams): Promise<Row[]>;
  one(sql: string, params?: SqlParams): Promise<Row | undefined>;
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, params?: SqlParams): Promise<number>;
  /** Runs one statement once per set of values, prepared once. */
  runMany(sql: string, params: readonly SqlParams[]): Promise<void>;
}

class ConnectionSql implements Sql {
  constructor(readonly connection: DuckDBConnection) {}

  async all(sql: string, params?: SqlParams): Promise<Row[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return reader.getRowObjectsJS() as Row[];
  }

  async one(sql: string, params?: SqlParams): Promise<Row | undefined> {
    return (await this.all(sql, params))[0];
  }

  async run(sql: string, params?: SqlParams): Promise<number> {
    const result = await this.connection.run(sql, params);
    return result.rowsChanged;
  }

  async runMany(sql: string, params: readonly SqlParams[]): Promise<void> {
    const statement = await this.connection.prepare(sql);
    try {
      for (const values of params) {
        statement.bind(values);
        await statement.run();
      }
    } finally {
      statement.destroySync();
    }
  }
}

export interface DatabaseOptions {
  /** A file path, or `:memory:`. */
  path: string;
  memoryLimit: string;
  /** Connections for concurrent reads; writes always go through one. */
  readers?: number;
}

/**
 * One DuckDB database with a single writer and a few readers. A DuckDB
 * connection runs one statement at a time, and concurrent writers would
 * conflict, so every write runs in a transaction on the writer connection,
 * one after another. Readers see committed data only (MVCC), so reads never
 * wait for writes.
 */
export class StoreDatabase {
  private readonly lane = new SerialLane();
  private readonly idleReaders: ConnectionSql[];
  private readonly readerWaiters: ((reader: ConnectionSql) => void)[] = [];
  private busyReaders = 0;
  private readersIdle: (() => void) | undefined;
  private closed = false;
  private committed = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: ConnectionSql,
    private readonly readers: ConnectionSql[],
  ) {
    this.idleReaders = [...readers];
  }

  static async open(options: DatabaseOptions): Promise<StoreDatabase> {
    const instance = await DuckDBInstance.create(options.path, {
      // Only the coordinator's own statements ever run here, but nothing in
      // them needs files, the network or extensions, so none are allowed.
      enable_external_access: 'false',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      memory_limit: options.memoryLimit,
      threads: '2',
    });
    const connections: DuckDBConnection[] = [];
    try {
      for (let i = 0; i <= (options.readers ?? 2); i++) connections.push(await instance.connect());
    } catch (error) {
      for (const connection of connections) connection.closeSync();
      instance.closeSync();
      throw error;
    }
    const [writer, ...readers] = connections.map((c) => new ConnectionSql(c));
    return new StoreDatabase(instance, writer as ConnectionSql, readers);
  }

  /** Runs `work` on a reader connection; it sees only committed data. */
  async read<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    this.checkOpen();
    const reader =
      this.idleReaders.pop() ??
      (await new Promise<ConnectionSql>((resolve) => this.readerWaiters.push(resolve)));
    this.busyReaders++;
    try {
      return await work(reader);
    } finally {
      this.busyReaders--;
      const waiter = this.readerWaiters.shift();
      if (waiter) waiter(reader);
      else this.idleReaders.push(reader);
      if (this.busyReaders === 0) this.readersIdle?.();
    }
  }

  /** Counts committed writes that change state others cache (audit appends are quiet). */
  get generation(): number {
    return this.committed;
  }

  /** Runs `work` in a transaction on the writer, after every write queued before it. */
  async write<T>(work: (sql: Sql) => Promise<T>, options: { quiet?: boolean } = {}): Promise<T> {
    this.checkOpen();
    return this.lane.run(async () => {
      await this.writer.run('BEGIN TRANSACTION');
      try {
        const result = await work(this.writer);
        await this.writer.run('COMMIT');
        if (!options.quiet) this.committed++;
        return result;
      } catch (error) {
        await this.writer.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** Waits for queued writes and running reads, then closes the database file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lane.drain();
    if (this.busyReaders > 0) {
      await new Promise<void>((resolve) => {
        this.readersIdle = resolve;
      });
    }
    for (const sql of [this.writer, ...this.readers]) sql.connection.closeSync();
    this.instance.closeSync();
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('the store is closed');
  }
}
