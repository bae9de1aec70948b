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
    /** Per source (lower-cased) that no serving edge could discover yet: why, as the edges said. */
    private readonly unreachable: ReadonlyMap<string, string> = new Map(),
  ) {
    this.byKey = new Map(tables.map((t) => [tableKey(t.ref), t]));
  }

  /** Why no serving edge can reach a source yet; undefined when one can (or none serves it). */
  unavailable(source: string): string | undefined {
    return this.unreachable.get(source.toLowerCase());
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

/** Code-unit order: the same order page cursors compare with, whatever the locale. */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface KnownSource {
  info: SourceInfo__Input & { edges: string[] };
  tables: CatalogTable[];
  /** Each serving edge's reason it cannot reach the source; empty once one can. */
  unreachable: string[];
}

/**
 * The catalog: tables and sources discovered from the edges' GetSchema
 * answers at registration. A source whose edges have all gone stays in the
 * catalog, marked unhealthy, with the tables it last had: a query for it is
 * then UNAVAILABLE (the data exists, nothing serves it right now) rather
 * than NOT_FOUND.
 */
export class Catalog {
  private cached: CatalogSnapshot | undefined;
  private readonly known = new Map<string, KnownSource>();

  constructor(private readonly registry: EdgeRegistry) {}

  snapshot(): CatalogSnapshot {
    const version = this.registry.version;
    if (this.cached?.version === version) return this.cached;
    const live = new Map<string, KnownSource>();
    for (const edge of this.registry.list()) {
      for (const source of edge.sources) {
        const key = source.name.toLowerCase();
        let entry = live.get(key);
        if (!entry) {
          entry = {
            info: { name: source.name, kind: source.kind, edges: [], healthy: true, table_count: 0 },
            tables: [],
            unreachable: [],
          };
          live.set(key, entry);
        }
        // A replica that could not discover the source has no tables to offer; another may.
        if (entry.tables.length === 0) {
          for (const schema of source.schemas) {
            for (const table of schema.tables) {
              if (table.ref) entry.tables.push({ ...table, ref: table.ref, sourceKind: source.kind });
            }
          }
        }
        if (source.unavailable) entry.unreachable.push(`edge ${edge.name}: ${source.unavailable}`);
        entry.info.edges.push(edge.name);
      }
    }
    for (const [key, entry] of live) this.known.set(key, entry);
    const tables = new Map<string, CatalogTable>();
    const sources: SourceInfo__Input[] = [];
    const unreachable = new Map<string, string>();
    for (const [key, entry] of this.known) {
      const isLive = live.has(key);
      const reachable = entry.unreachable.length < entry.info.edges.length;
      if (isLive && !reachable) unreachable.set(key, entry.unreachable.join('; '));
      for (const table of entry.tables)
        if (!tables.has(tableKey(table.ref))) tables.set(tableKey(table.ref), table);
      sources.push({
        ...entry.info,
        edges: isLive ? entry.info.edges : [],
        healthy: isLive && reachable,
        table_count: entry.tables.length,
      });
    }
    const ordered = [...tables.values()].sort((a, b) => byName(formatTableRef(a.ref), formatTableRef(b.ref)));
    const orderedSources = sources.sort((a, b) => byName(String(a.name), String(b.name)));
    this.cached = new CatalogSnapshot(version, ordered, orderedSources, unreachable);
    return this.cached;
  }
}
