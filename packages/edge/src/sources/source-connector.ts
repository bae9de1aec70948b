import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * One configured data source at the edge. A connector only prepares DuckDB
 * (attaching a database, declaring views over files) before the engine is
 * locked down; every query then runs through the same locked engine, so a
 * new kind of source touches this folder alone.
 */
/** A table as a refresh names it: `schema` may be left out. */
export interface TableName {
  schema?: string;
  table: string;
}

export interface SourceConnector {
  readonly name: string;
  readonly kind: string;
  /** Directories DuckDB may still read after lock-down. */
  readonly readablePaths: string[];
  /** Runs on the privileged set-up connection, before lock-down. */
  attach(connection: DuckDBConnection): Promise<void>;
  /**
   * Rediscovers the source after lock-down (a schema refresh), or only the
   * table `only`, and redeclares what changed through `run`, trusted SQL on
   * the locked engine.
   */
  refresh?(run: (sql: string) => Promise<unknown>, only?: TableName): Promise<void>;
  /**
   * Why the source cannot be used now (it could not be discovered), or
   * undefined. A source that can say so lets the edge start without it and
   * retry with `refresh`.
   */
  unavailable?(): string | undefined;
  /** Cheap reachability probe for Ping; throws when the source is unusable. */
  probe(): Promise<void>;
}
