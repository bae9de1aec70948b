import {
  type DuckDBConnection,
  type DuckDBInstance,
  type DuckDBPreparedStatement,
  DuckDBTypeId,
} from '@duckdb/node-api';
import { TributaryError } from '@tributary/core';
import { isJsonObject, type Json, type JsonObject } from './json.js';

/** What preparing a statement tells about it, without running it. */
export interface PreparedShape {
  statementType: number;
  parameterCount: number;
  /** Parameter types DuckDB inferred, by position ($1 first); undefined where it could not. */
  parameterTypes: (string | undefined)[];
  /** sqlType is undefined when DuckDB could not resolve it (unresolved parameter types). */
  columns: { name: string; sqlType: string | undefined }[];
}

/**
 * Two connections of the analysis instance: one parses and plans, the other
 * prepares (binds) statements to read their result columns, so the two can
 * overlap. The calls into DuckDB's JSON serializers are prepared once; the
 * client's SQL only ever travels as a bound VARCHAR value to them, or to
 * `prepare` (which binds and plans, never executes).
 */
export class AnalysisSession {
  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly describer: DuckDBConnection,
    private readonly serializeSql: DuckDBPreparedStatement,
    private readonly serializePlan: DuckDBPreparedStatement,
  ) {}

  static async open(instance: DuckDBInstance): Promise<AnalysisSession> {
    const connection = await instance.connect();
    const describer = await instance.connect();
    try {
      // The plan is serialized unoptimized (the default): nothing pruned or pushed down.
      const serializeSql = await connection.prepare('SELECT json_serialize_sql($1::VARCHAR)');
      const serializePlan = await connection.prepare('SELECT json_serialize_plan($1::VARCHAR)');
      return new AnalysisSession(connection, describer, serializeSql, serializePlan);
    } catch (error) {
      connection.closeSync();
      describer.closeSync();
      throw error;
    }
  }

  /** DuckDB's parse tree of `sql`, or the parser's error object. */
  parse(sql: string): Promise<JsonObject> {
    return this.serialize(this.serializeSql, sql);
  }

  /** DuckDB's bound logical plan of `sql`, or the binder's error object. */
  plan(sql: string): Promise<JsonObject> {
    return this.serialize(this.serializePlan, sql);
  }

  /** How many statements `sql` holds (parsing only). */
  async countStatements(sql: string): Promise<number> {
    const extracted = await this.connection.extractStatements(sql);
    return extracted.count;
  }

  /**
   * Binds `sql` as a prepared statement to read its result columns; never
   * executes it. Runs on the second connection: may overlap parse and plan,
   * not another describe.
   */
  async describe(sql: string): Promise<PreparedShape> {
    const prepared = await this.describer.prepare(sql);
    try {
      const columns: PreparedShape['columns'] = [];
      for (let i = 0; i < prepared.columnCount; i++) {
        const resolved = prepared.columnTypeId(i) !== DuckDBTypeId.INVALID;
        columns.push({
          name: prepared.columnName(i),
          sqlType: resolved ? prepared.columnType(i).toString() : undefined,
        });
      }
      const parameterTypes: (string | undefined)[] = [];
      for (let i = 1; i <= prepared.parameterCount; i++) {
        const resolved = prepared.parameterTypeId(i) !== DuckDBTypeId.INVALID;
        parameterTypes.push(resolved ? prepared.parameterType(i).toString() : undefined);
      }
      return {
        statementType: prepared.statementType,
        parameterCount: prepared.parameterCount,
        parameterTypes,
        columns,
      };
    } finally {
      prepared.destroySync();
    }
  }

  close(): void {
    this.serializeSql.destroySync();
    this.serializePlan.destroySync();
    this.connection.closeSync();
    this.describer.closeSync();
  }

  private async serialize(statement: DuckDBPreparedStatement, sql: string): Promise<JsonObject> {
    statement.bindVarchar(1, sql);
    const result = await statement.run();
    const value = result.chunkCount > 0 ? result.getChunk(0).getRowValues(0)[0] : undefined;
    if (typeof value !== 'string') throw new TributaryError('INTERNAL', 'DuckDB serializer returned no text');
    const parsed = JSON.parse(value) as Json;
    if (!isJsonObject(parsed)) throw new TributaryError('INTERNAL', 'DuckDB serializer returned no object');
    return parsed;
  }
}
