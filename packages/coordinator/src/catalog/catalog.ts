import { type SourceInfo__Input, type Table, type TableRef, TributaryError } from '@tributary/core';
import type { EdgeRegistry } from './edge-registry.js';
import { formatTableRef, parseTableName, tableKey } from './table-name.js';

export interface CatalogTable extends Table {
  ref: TableRef;
  sourceKind: string;
}

/** An immutable view of every table the registered edges serve, rebuilt when the edge set changes. */
export class CatalogSnapshot {
  private readonly byKey: Map<string, CatalogTable>;

  constructor(
    readonly version: number,
    readonly tables: readonly CatalogTable[],
    readonly sources: readonly SourceInfo__Input[],
  ) {
    this.byKey = new Map(tables.map((t) => [tableKey(t.ref), t]));
  }

  find(ref: TableRef): CatalogTable | undefined {
    return this.byKey.get(tableKey(ref));
  }

  /** Resolves a user-supplied table name; NOT_FOUND when no edge serves it. */
  resolve(name: string): CatalogTable {
    const ref = parseTableName(name);
    const table = this.find(ref);
    if (!table) throw TributaryError.notFound(`table ${formatTableRef(ref)} not found`, { table: name });
    return table;
  }
}

/** The catalog: tables and sources discovered from the edges' GetSchema answers at registration. */
export class Catalog {
  private cached: CatalogSnapshot | undefined;

  constructor(private readonly registry: EdgeRegistry) {}

  snapshot(): CatalogSnapshot {
    const version = this.registry.version;
    if (this.cached?.version === version) return this.cached;
    const tables = new Map<string, CatalogTable>();
    const sources = new Map<string, SourceInfo__Input & { edges: string[] }>();
    for (const edge of this.registry.list()) {
      for (const source of edge.sources) {
        const key = source.name.toLowerCase();
        const info = sources.get(key) ?? {
          name: source.name,
          kind: source.kind,
          edges: [],
          healthy: true,
          table_count: 0,
        };
        info.edges.push(edge.name);
        sources.set(key, info);
        for (const schema of source.schemas) {
          for (const table of schema.tables) {
            if (!table.ref) continue;
            const entry: CatalogTable = { ...table, ref: table.ref, sourceKind: source.kind };
            if (!tables.has(tableKey(table.ref))) tables.set(tableKey(table.ref), entry);
          }
        }
      }
    }
    for (const info of sources.values()) {
      info.table_count = [...tables.values()].filter(
        (t) => t.ref.source.toLowerCase() === String(info.name).toLowerCase(),
      ).length;
    }
    const ordered = [...tables.values()].sort((a, b) =>
      formatTableRef(a.ref).localeCompare(formatTableRef(b.ref)),
    );
    const orderedSources = [...sources.values()].sort((a, b) => String(a.name).localeCompare(String(b.name)));
    this.cached = new CatalogSnapshot(version, ordered, orderedSources);
    return this.cached;
  }
}
