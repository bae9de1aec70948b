import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * One configured data source at the edge. A connector only prepares DuckDB
 * (attaching a database, declaring views over files) before the engine is
 * locked down; every query then runs through the same locked engine, so a
 * new kind of source touches this folder alone.
 */
export interface SourceConnector {
  readonly name: string;
  readonly kind: string;
  /** Directories DuckDB may still read after lock-down. */
  readonly readablePaths: string[];
  /** Runs on the privileged set-up connection, before lock-down. */
  attach(connection: DuckDBConnection): Promise<void>;
  /**
   * Rediscovers the source after lock-down (a schema refresh) and redeclares
   * what changed through `run`, trusted SQL on the locked engine.
   */
  refresh?(run: (sql: string) => Promise<unknown>): Promise<void>;
  /** Cheap reachability probe for Ping; throws when the source is unusable. */
  probe(): Promise<void>;
}
