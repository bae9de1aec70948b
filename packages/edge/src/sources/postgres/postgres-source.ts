import { readFileSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { qualifiedName, quoteIdentifier, TributaryError } from '@tributary/core';
import pg from 'pg';
import type { PostgresSourceConfig } from '../../config/edge-config.js';
import type { SourceConnector } from '../source-connector.js';
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

/**
 * A PostgreSQL database. Its tables appear in DuckDB as empty tables of the
 * mapped types, so discovery, binding and governance see the real shape;
 * queries on them are answered from PostgreSQL (see `PostgresQueries`).
 */
export class PostgresSource implements SourceConnector {
  readonly kind = 'postgres';
  readonly readablePaths: string[] = [];
  tables: PgTable[] = [];

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

  /** Reads the exposed schemas' tables and columns from PostgreSQL's catalog. */
  async discover(): Promise<PgTable[]> {
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
          ORDER BY n.nspname, c.relname, a.attnum`,
        [this.config.schemas],
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
    for (const schema of new Set(tables.map((t) => t.schema)))
      await connection.run(`CREATE SCHEMA IF NOT EXISTS ${qualifiedName(this.name, schema)}`);
    for (const table of tables) {
      // Names come from PostgreSQL's catalog and are quoted; types from the fixed mapping.
      const columns = table.columns
        .map((c) => `${quoteIdentifier(c.name)} ${duckTypeOf(c.pgType)}`)
        .join(', ');
      await connection.run(`CREATE TABLE ${qualifiedName(this.name, table.schema, table.name)} (${columns})`);
    }
  }

  async attach(connection: DuckDBConnection): Promise<void> {
    this.tables = await this.discover();
    await this.declare(connection, this.tables);
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
