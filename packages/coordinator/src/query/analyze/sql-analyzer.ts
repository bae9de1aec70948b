import { type SqlValue, TributaryError } from '@tributary/core';
import { ShadowCatalog } from './shadow-catalog.js';
import type { AnalyzedQuery, CatalogTable } from './types.js';

export interface SqlAnalyzerOptions {
  /**
   * Connections analyses run on concurrently (default 4). Each analysis makes
   * a few short native calls on libuv's thread pool; more connections than
   * UV_THREADPOOL_SIZE only queue there.
   */
  connections?: number;
  /** Analyses remembered per catalog version, keyed by SQL text and parameter types (default 1000; 0 disables). */
  cacheSize?: number;
  /** Longest SQL text accepted, in characters (default 1,000,000). */
  maxSqlLength?: number;
}

function checkParams(params: readonly SqlValue[] | undefined): void {
  if (params === undefined) return;
  if (!Array.isArray(params)) throw TributaryError.invalid('params must be a list of values');
  params.forEach((value, i) => {
    const ok =
      value === null ||
      typeof value === 'boolean' ||
      typeof value === 'number' ||
      typeof value === 'bigint' ||
      typeof value === 'string' ||
      value instanceof Uint8Array;
    if (!ok) throw TributaryError.invalid(`parameter $${i + 1} is not a scalar value`);
  });
}

/**
 * Parses, checks and resolves SQL against the catalog without running it.
 * See index.ts for what is refused and how columns are found.
 */
export class SqlAnalyzer {
  private updates: Promise<void> = Promise.resolve();
  private replacing: ShadowCatalog | undefined;
  private closed = false;

  private constructor(
    private current: ShadowCatalog,
    private readonly options: Required<SqlAnalyzerOptions>,
  ) {}

  static async create(options: SqlAnalyzerOptions = {}): Promise<SqlAnalyzer> {
    const resolved: Required<SqlAnalyzerOptions> = {
      connections: options.connections ?? 4,
      cacheSize: options.cacheSize ?? 1000,
      maxSqlLength: options.maxSqlLength ?? 1_000_000,
    };
    if (!Number.isInteger(resolved.connections) || resolved.connections < 1) {
      throw new Error('SqlAnalyzer: connections must be a positive integer');
    }
    return new SqlAnalyzer(await ShadowCatalog.build(undefined, [], resolved), resolved);
  }

  /** The catalog version queries are analyzed against; undefined until the first setCatalog. */
  get catalogVersion(): number | undefined {
    return this.current.version;
  }

  /** Catalog entries the current shadow catalog could not mirror (and so reports as not found). */
  get catalogWarnings(): readonly string[] {
    return this.current.warnings;
  }

  /**
   * Replaces the shadow catalog. Builds a fresh DuckDB instance for
   * `version` and swaps it in when complete; analyses already running finish
   * on the old one. A version not newer than the current one is ignored, so
   * repeating a call is cheap. Calls are applied in order.
   */
  setCatalog(version: number, tables: readonly CatalogTable[]): Promise<void> {
    if (this.closed) return Promise.reject(TributaryError.unavailable('SQL analyzer is closed'));
    const update = this.updates.then(async () => {
      const current = this.current.version;
      if (this.closed || (current !== undefined && version <= current)) return;
      const next = await ShadowCatalog.build(version, tables, this.options);
      if (this.closed) {
        next.retire();
        return;
      }
      const previous = this.current;
      this.current = next;
      previous.retire();
    });
    this.updates = update.catch(() => undefined);
    return update;
  }

  /** Analyzes one read-only query; `params` (when given) must match its placeholders. */
  analyze(sql: string, params?: readonly SqlValue[]): Promise<AnalyzedQuery> {
    if (this.closed) return Promise.reject(TributaryError.unavailable('SQL analyzer is closed'));
    if (typeof sql !== 'string') return Promise.reject(TributaryError.invalid('sql must be a string'));
    if (sql.length > this.options.maxSqlLength) {
      return Promise.reject(
        TributaryError.invalid(`query text is longer than ${this.options.maxSqlLength} characters`),
      );
    }
    // DuckDB's C API reads SQL up to the first NUL; analysis and execution must see the same text.
    if (sql.includes('\u0000'))
      return Promise.reject(TributaryError.invalid('query text contains a NUL character'));
    try {
      checkParams(params);
    } catch (error) {
      return Promise.reject(error);
    }
    const shadow = this.current;
    return shadow.analyze(sql, params).catch((error: unknown) => {
      if (shadow.broken) this.replaceBroken(shadow);
      throw error;
    });
  }

  /** A fatal DuckDB error leaves an instance unusable: build the same catalog afresh. */
  private replaceBroken(shadow: ShadowCatalog): void {
    if (this.replacing === shadow) return;
    this.replacing = shadow;
    this.updates = this.updates
      .then(async () => {
        if (this.closed || this.current !== shadow) return;
        const next = await ShadowCatalog.build(shadow.version, shadow.catalog, this.options);
        if (this.closed || this.current !== shadow) {
          next.retire();
          return;
        }
        this.current = next;
        shadow.retire();
      })
      .catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.updates;
    this.current.retire();
  }
}
