import type { SqlValue } from '@tributary/core';
import type { Catalog } from '../catalog/index.js';
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
    return this.analyzer.analyze(sql, params);
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
