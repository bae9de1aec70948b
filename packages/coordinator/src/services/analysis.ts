import { type SqlValue, TributaryError } from '@tributary/core';
import { type Catalog, parseTableName } from '../catalog/index.js';
import type { AnalyzedQuery, SqlAnalyzer } from '../query/analyze/index.js';

/**
 * Keeps the analyzer's shadow catalog in step with the edges' catalog and
 * analyzes SQL against it: the single entry to analysis for every service.
 */
export class QueryAnalysis {
  private syncing: Promise<void> | undefined;
  private syncedVersion = -1;

  constructor(
    private readonly analyzer: SqlAnalyzer,
    private readonly catalog: Catalog,
  ) {}

  async analyze(sql: string, params: SqlValue[] | undefined): Promise<AnalyzedQuery> {
    await this.sync();
    try {
      return await this.analyzer.analyze(sql, params);
    } catch (error) {
      throw this.unreachableSource(error) ?? error;
    }
  }

  /**
   * A table not found in a source no edge could discover yet (PostgreSQL
   * down when the edge started) is UNAVAILABLE, not NOT_FOUND: it may well
   * exist, and the edge keeps trying to reach it.
   */
  private unreachableSource(error: unknown): TributaryError | undefined {
    if (!(error instanceof TributaryError) || error.code !== 'NOT_FOUND') return undefined;
    const written = (error.details as { table?: unknown } | undefined)?.table;
    if (typeof written !== 'string') return undefined;
    let source: string;
    try {
      source = parseTableName(written).source;
    } catch {
      return undefined;
    }
    const why = source ? this.catalog.snapshot().unavailable(source) : undefined;
    if (why === undefined) return undefined;
    return TributaryError.unavailable(
      `source ${source} is unreachable, so its tables are not known yet: ${why}`,
      {
        source,
        table: written,
      },
    );
  }

  private async sync(): Promise<void> {
    const snapshot = this.catalog.snapshot();
    if (snapshot.version === this.syncedVersion) return;
    while (this.syncing) await this.syncing;
    if (snapshot.version === this.syncedVersion) return;
    this.syncing = this.analyzer
      .setCatalog(
        snapshot.version,
        snapshot.tables.map((t) => ({
          source: t.ref.source,
          schema: t.ref.schema,
          table: t.ref.table,
          columns: t.columns.map((c) => ({ name: c.name, sqlType: c.sql_type })),
        })),
      )
      .then(() => {
        this.syncedVersion = snapshot.version;
      })
      .finally(() => {
        this.syncing = undefined;
      });
    await this.syncing;
  }
}
