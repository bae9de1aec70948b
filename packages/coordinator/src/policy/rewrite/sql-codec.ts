// DuckDB as the policy engine's SQL parser and printer: text → parse tree
// (json_serialize_sql) and parse tree → text (json_deserialize_sql), plus
// binding without executing (prepare) for load-time checks of policy SQL.
// The instance holds no tables and is locked down before first use: no
// external access, no extensions, configuration locked. SQL only ever
// travels to the serializers as a bound VARCHAR value.

import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBPreparedStatement,
  DuckDBTypeId,
} from '@duckdb/node-api';
import { TributaryError } from '@tributary/core';
import { ResourcePool } from '../../query/analyze/connection-pool.js';
import { isJsonObject, type JsonObject } from '../../query/analyze/json.js';
import { parseLossless, stringifyLossless } from './lossless-json.js';

const INSTANCE_OPTIONS: Record<string, string> = {
  enable_external_access: 'false',
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  threads: '1',
  memory_limit: '128MB',
  lock_configuration: 'true',
};

class CodecSession {
  constructor(
    readonly connection: DuckDBConnection,
    private readonly serializer: DuckDBPreparedStatement,
    private readonly printer: DuckDBPreparedStatement,
  ) {}

  static async open(instance: DuckDBInstance): Promise<CodecSession> {
    const connection = await instance.connect();
    try {
      const serializer = await connection.prepare('SELECT json_serialize_sql($1::VARCHAR)');
      const printer = await connection.prepare('SELECT json_deserialize_sql($1::VARCHAR)');
      return new CodecSession(connection, serializer, printer);
    } catch (error) {
      connection.closeSync();
      throw error;
    }
  }

  async text(statement: 'serialize' | 'print', input: string): Promise<string> {
    const prepared = statement === 'serialize' ? this.serializer : this.printer;
    prepared.bindVarchar(1, input);
    const result = await prepared.run();
    const value = result.chunkCount > 0 ? result.getChunk(0).getRowValues(0)[0] : undefined;
    if (typeof value !== 'string') throw new TributaryError('INTERNAL', 'DuckDB returned no text');
    return value;
  }

  close(): void {
    this.serializer.destroySync();
    this.printer.destroySync();
    this.connection.closeSync();
  }
}

export interface SqlCodecOptions {
  /** Connections used concurrently (default 2). */
  connections?: number;
}

/** A prepared statement's result columns; sqlType undefined where DuckDB could not resolve it. */
export interface DescribedColumns {
  columns: { name: string; sqlType: string | undefined }[];
}

export class SqlCodec {
  private closed = false;
  private readonly fixed = new Map<string, Promise<JsonObject>>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly pool: ResourcePool<CodecSession>,
    /** Lower-cased names of functions that are aggregates and nothing else. */
    readonly aggregateFunctions: ReadonlySet<string>,
    /**
     * Lower-cased names of macros: what one expands to is not known from the
     * tree (`geomean(x)` is `exp(avg(ln(x)))`, an aggregate).
     */
    readonly macroFunctions: ReadonlySet<string>,
  ) {}

  static async open(options: SqlCodecOptions = {}): Promise<SqlCodec> {
    const count = options.connections ?? 2;
    if (!Number.isInteger(count) || count < 1)
      throw new Error('SqlCodec: connections must be a positive integer');
    const instance = await DuckDBInstance.create(':memory:', INSTANCE_OPTIONS);
    const sessions: CodecSession[] = [];
    try {
      for (let i = 0; i < count; i++) sessions.push(await CodecSession.open(instance));
      const reader = await sessions[0]!.connection.runAndReadAll(
        `SELECT DISTINCT lower(function_name) FROM duckdb_functions() WHERE function_type = 'aggregate'
           AND lower(function_name) NOT IN
             (SELECT lower(function_name) FROM duckdb_functions() WHERE function_type IN ('scalar', 'macro'))`,
      );
      const aggregates = new Set(reader.getRows().map((row) => String(row[0])));
      const macroReader = await sessions[0]!.connection.runAndReadAll(
        `SELECT DISTINCT lower(function_name) FROM duckdb_functions() WHERE function_type = 'macro'`,
      );
      const macros = new Set(macroReader.getRows().map((row) => String(row[0])));
      return new SqlCodec(instance, new ResourcePool(sessions), aggregates, macros);
    } catch (error) {
      for (const session of sessions) session.close();
      instance.closeSync();
      throw error;
    }
  }

  /** DuckDB's parse tree of `sql` (numbers kept exactly), or its error object (`error: true`). */
  async parse(sql: string): Promise<JsonObject> {
    const text = await this.use((session) => session.text('serialize', sql));
    const tree = parseLossless(text);
    if (!isJsonObject(tree)) throw new TributaryError('INTERNAL', 'DuckDB parse tree is not an object');
    return tree;
  }

  /** The parse tree of SQL this module writes itself (templates), parsed once. */
  parseFixed(sql: string): Promise<JsonObject> {
    let tree = this.fixed.get(sql);
    if (tree === undefined) {
      tree = this.parse(sql);
      this.fixed.set(sql, tree);
      tree.catch(() => this.fixed.delete(sql));
    }
    return tree;
  }

  /** SQL text for a parse tree as produced by `parse` (`{ error: false, statements: [...] }`). */
  async print(tree: JsonObject): Promise<string> {
    try {
      return await this.use((session) => session.text('print', stringifyLossless(tree)));
    } catch (error) {
      if (error instanceof TributaryError) throw error;
      throw new TributaryError('INTERNAL', 'DuckDB could not print the rewritten query', undefined, {
        cause: error,
      });
    }
  }

  /** Binds (never runs) `sql` and reads its result columns; DuckDB's error is thrown as is. */
  describe(sql: string): Promise<DescribedColumns> {
    return this.use(async (session) => {
      const prepared = await session.connection.prepare(sql);
      try {
        const columns: DescribedColumns['columns'] = [];
        for (let i = 0; i < prepared.columnCount; i++) {
          const resolved = prepared.columnTypeId(i) !== DuckDBTypeId.INVALID;
          columns.push({
            name: prepared.columnName(i),
            sqlType: resolved ? prepared.columnType(i).toString() : undefined,
          });
        }
        return { columns };
      } finally {
        prepared.destroySync();
      }
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const session of this.pool.resources()) session.close();
    this.instance.closeSync();
  }

  private use<T>(work: (session: CodecSession) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(TributaryError.unavailable('the SQL codec is closed'));
    return this.pool.use(work);
  }
}
