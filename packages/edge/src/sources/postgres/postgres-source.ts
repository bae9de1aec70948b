import { readFileSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { qualifiedName, quoteIdentifier, TributaryError } from '@tributary/core';
import pg from 'pg';
import type { PostgresSourceConfig } from '../../config/edge-config.js';
import type { SourceConnector, TableName } from '../source-connector.js';
import { duckTypeOf, type PgColumn } from './types.js';

export interface PgTable {
  schema: string;
  name: string;
  kind: 'table' | 'view';
  columns: PgColumn[];
}

/** SQLSTATE classes that mean "cannot connect or log in", not "bad query". */
function connectionFailure(sourceName: string, error: unknown): TributaryError {
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message ?? String(error);
  if (code.startsWith('28'))
    return TributaryError.unauthenticated(`postgres source ${sourceName}: ${message}`);
  return TributaryError.unavailable(`postgres source ${sourceName} is unreachable: ${message}`, {
    source: sourceName,
  });
}

/** Failures a later attempt may get past: PostgreSQL down, refusing connections, or not resolvable yet. */
function isUnreachable(error: unknown): boolean {
  return error instanceof TributaryError && error.code === 'UNAVAILABLE';
}

/**
 * A PostgreSQL database. Its tables appear in DuckDB as empty tables of the
 * mapped types, so discovery, binding and governance see the real shape;
 * queries on them are answered from PostgreSQL (see `PostgresQueries`).
 */
export class PostgresSource implements SourceConnector {
  readonly kind = 'postgres';
  readonly readablePaths: string[] = [];
  tables: PgTable[] = [];
  /** Set while discovery fails because PostgreSQL cannot be reached; cleared by the next success. */
  private failure: TributaryError | undefined;

  constructor(readonly config: PostgresSourceConfig) {}

  get name(): string {
    return this.config.name;
  }

  private password(): string | undefined {
    if (this.config.password_env) return process.env[this.config.password_env];
    if (this.config.password_file)
      return readFileSync(this.config.password_file, 'utf8').replace(/\r?\n$/, '');
    return undefined;
  }

  /** A connected client in a read-only transaction; statement timeout in ms when given. */
  async connect(statementTimeoutMs?: number): Promise<pg.Client> {
    const ssl = { disable: false, require: { rejectUnauthorized: false }, 'verify-full': true }[
      this.config.sslmode
    ];
    const client = new pg.Client({
      host: this.config.host,
      port: this.config.port,
      database: this.config.database,
      user: this.config.user,
      password: this.password(),
      ssl,
      application_name: `tributary-edge:${this.config.name}`,
      // Read-only for every transaction of the session, and times in UTC so text forms parse alike.
      options: '-c default_transaction_read_only=on -c TimeZone=UTC -c DateStyle=ISO',
      connectionTimeoutMillis: 10_000,
      // Every value arrives as PostgreSQL's text form; the edge converts it itself.
      types: { getTypeParser: () => (value: string) => value } as never,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('BEGIN TRANSACTION READ ONLY');
      if (statementTimeoutMs && statementTimeoutMs > 0)
        await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.trunc(statementTimeoutMs))}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw connectionFailure(this.name, error);
    }
    return client;
  }

  /**
   * Reads the exposed schemas' tables and columns from PostgreSQL's catalog;
   * with `only`, that one table (names compared case-insensitively, as DuckDB does).
   */
  async discover(only?: TableName): Promise<PgTable[]> {
    const client = await this.connect(30_000);
    try {
      const result = await client.query<{
        schema: string;
        table: string;
        kind: string;
        column: string;
        type: string;
        notnull: string;
      }>(
        `SELECT n.nspname AS schema, c.relname AS table, c.relkind AS kind, a.attname AS column,
                format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull
           FROM pg_catalog.pg_class c
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
            AND has_table_privilege(c.oid, 'SELECT')
            AND ($2::text IS NULL OR lower(n.nspname) = lower($2))
            AND ($3::text IS NULL OR lower(c.relname) = lower($3))
          ORDER BY n.nspname, c.relname, a.attnum`,
        [this.config.schemas, only?.schema || null, only?.table ?? null],
      );
      const tables = new Map<string, PgTable>();
      for (const row of result.rows) {
        const key = `${row.schema}\u0000${row.table}`;
        let table = tables.get(key);
        if (!table) {
          table = {
            schema: row.schema,
            name: row.table,
            kind: row.kind === 'v' ? 'view' : 'table',
            columns: [],
          };
          tables.set(key, table);
        }
        table.columns.push({ name: row.column, pgType: row.type, nullable: row.notnull !== 't' });
      }
      return [...tables.values()];
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Declares every PostgreSQL table as an empty DuckDB table of the same shape. */
  async declare(connection: DuckDBConnection, tables: readonly PgTable[]): Promise<void> {
    await connection.run(`ATTACH ':memory:' AS ${quoteIdentifier(this.name)}`);
    for (const sql of this.declarations([], tables)) await connection.run(sql);
  }

  /** The DDL that turns the declared tables `before` into `after`: dropped, new and changed tables. */
  private declarations(before: readonly PgTable[], after: readonly PgTable[]): string[] {
    const key = (t: PgTable) => `${t.schema}.${t.name}`.toLowerCase();
    const shape = (t: PgTable) => t.columns.map((c) => `${c.name} ${duckTypeOf(c.pgType)}`).join(', ');
    const wanted = new Map(after.map((t) => [key(t), t]));
    const had = new Map(before.map((t) => [key(t), t]));
    const statements: string[] = [];
    for (const [name, table] of had) {
      if (!wanted.has(name))
        statements.push(`DROP TABLE IF EXISTS ${qualifiedName(this.name, table.schema, table.name)}`);
    }
    for (const schema of new Set(after.map((t) => t.schema)))
      statements.push(`CREATE SCHEMA IF NOT EXISTS ${qualifiedName(this.name, schema)}`);
    for (const [name, table] of wanted) {
      const previous = had.get(name);
      if (previous && shape(previous) === shape(table) && previous.name === table.name) continue;
      // Names come from PostgreSQL's catalog and are quoted; types from the fixed mapping.
      const columns = table.columns
        .map((c) => `${quoteIdentifier(c.name)} ${duckTypeOf(c.pgType)}`)
        .join(', ');
      if (previous && previous.name !== table.name)
        statements.push(`DROP TABLE IF EXISTS ${qualifiedName(this.name, previous.schema, previous.name)}`);
      statements.push(
        `CREATE OR REPLACE TABLE ${qualifiedName(this.name, table.schema, table.name)} (${columns})`,
      );
    }
    return statements;
  }

  /**
   * Attaches the source's catalog and declares its tables. A PostgreSQL
   * that cannot be reached leaves the source empty and marked unavailable
   * (the edge retries with `refresh`); a refused login or any other failure
   * stops the edge, since retrying cannot fix configuration.
   */
  async attach(connection: DuckDBConnection): Promise<void> {
    await connection.run(`ATTACH ':memory:' AS ${quoteIdentifier(this.name)}`);
    try {
      this.tables = await this.discover();
      this.failure = undefined;
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      this.failure = error as TributaryError;
      this.tables = [];
      return;
    }
    for (const sql of this.declarations([], this.tables)) await connection.run(sql);
  }

  /**
   * Rediscovers the source (or one table of it) after lock-down and declares
   * what changed. While PostgreSQL stays unreachable it throws UNAVAILABLE and
   * keeps the tables it had.
   */
  async refresh(run: (sql: string) => Promise<unknown>, table?: TableName): Promise<void> {
    // A source not fully discovered yet (unreachable so far) is discovered whole.
    const only = this.failure ? undefined : table;
    let found: PgTable[];
    try {
      found = await this.discover(only);
    } catch (error) {
      if (isUnreachable(error)) this.failure = error as TributaryError;
      throw error;
    }
    const inScope = (t: PgTable) =>
      !only ||
      ((!only.schema || t.schema.toLowerCase() === only.schema.toLowerCase()) &&
        t.name.toLowerCase() === only.table.toLowerCase());
    const before = this.tables.filter(inScope);
    for (const sql of this.declarations(before, found)) await run(sql);
    this.tables = [...this.tables.filter((t) => !inScope(t)), ...found];
    this.failure = undefined;
  }

  /** Why the source cannot be used now: PostgreSQL was unreachable when last discovered. */
  unavailable(): string | undefined {
    return this.failure?.message;
  }

  /** Finds a table as a query wrote it (DuckDB matches names case-insensitively). */
  table(schema: string, name: string): PgTable | undefined {
    const s = schema.toLowerCase();
    const n = name.toLowerCase();
    return this.tables.find((t) => t.schema.toLowerCase() === s && t.name.toLowerCase() === n);
  }

  async probe(): Promise<void> {
    const client = await this.connect(10_000);
    try {
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Asks PostgreSQL to cancel what `client`'s backend is running, from a second connection. */
  async cancel(client: pg.Client): Promise<void> {
    const pid = (client as unknown as { processID?: number }).processID;
    if (!pid) return;
    const canceller = await this.connect(10_000).catch(() => undefined);
    if (!canceller) return;
    try {
      await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      // The backend may already be gone; ending the client closes it anyway.
    } finally {
      await canceller.end().catch(() => undefined);
    }
  }
}
