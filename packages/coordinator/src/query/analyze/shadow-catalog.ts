// An in-process DuckDB holding one EMPTY table per catalog table, laid out
// the way clients address them: each source is an attached in-memory
// database, so `source.schema.table` (and `source.table` for schema main)
// resolves exactly as it will on the edge. The catalog's default database
// ("memory") stays empty, so an unqualified name resolves only to a CTE.
//
// Safety: the instance is created with external access off, extension
// installing/loading off and the configuration locked, before any DDL. The
// DDL is written by this module (quoted identifiers, types re-rendered by
// DuckDB) and checked against the catalog afterwards. An instance is never
// altered after it is built: a new catalog version builds a new instance,
// swapped in when ready; the old one closes when its last analysis finishes.

import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type SqlValue, TributaryError } from '@tributary/core';
import { type AnalysisEnvironment, analyzeQuery, parseExpression } from './analysis.js';
import { AnalysisSession } from './analysis-session.js';
import type { ShadowTable } from './bound-plan.js';
import { ResourcePool } from './connection-pool.js';
import { isInstanceInvalidated } from './duckdb-errors.js';
import type { Json } from './json.js';
import { parameterSignature } from './parameters.js';
import { displayTableName, quoteIdentifier, quoteTableName } from './sql-text.js';
import type { AnalyzedQuery, CatalogTable } from './types.js';

const INSTANCE_OPTIONS: Record<string, string> = {
  enable_external_access: 'false',
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  threads: '1',
  memory_limit: '256MB',
  lock_configuration: 'true',
};

/**
 * Nothing runs on the analysis instance, so its optimizer has no use: turned
 * off, preparing a statement costs a third (and no optimizer code sees
 * client SQL). json_serialize_plan does not optimize in any case. Names of
 * DuckDB 1.5; if a later version rejects one, the instance is created with
 * the optimizer on.
 */
const DISABLED_OPTIMIZERS = [
  'expression_rewriter',
  'filter_pullup',
  'filter_pushdown',
  'empty_result_pullup',
  'cte_filter_pusher',
  'regex_range',
  'in_clause',
  'join_order',
  'deliminator',
  'unnest_rewriter',
  'unused_columns',
  'statistics_propagation',
  'common_subexpressions',
  'common_aggregate',
  'column_lifetime',
  'limit_pushdown',
  'top_n',
  'build_side_probe_side',
  'compressed_materialization',
  'duplicate_groups',
  'reorder_filter',
  'sampling_pushdown',
  'join_filter_pushdown',
  'extension',
  'materialized_cte',
  'sum_rewriter',
  'late_materialization',
  'top_n_window_elimination',
  'cte_inlining',
  'common_subplan',
  'row_group_pruner',
  'join_elimination',
  'window_self_join',
].join(',');

async function createInstance(): Promise<DuckDBInstance> {
  try {
    return await DuckDBInstance.create(':memory:', {
      ...INSTANCE_OPTIONS,
      disabled_optimizers: DISABLED_OPTIMIZERS,
    });
  } catch {
    return await DuckDBInstance.create(':memory:', INSTANCE_OPTIONS);
  }
}

/** Source names DuckDB reserves, or that would name its own catalogs. */
export const RESERVED_SOURCE_NAMES: ReadonlySet<string> = new Set([
  'memory',
  'main',
  'system',
  'temp',
  'information_schema',
  'pg_catalog',
]);
const RESERVED_SCHEMA_NAMES: ReadonlySet<string> = new Set(['information_schema', 'pg_catalog']);

export interface ShadowCatalogOptions {
  /** Connections analyses run on concurrently. */
  connections: number;
  /** Analyses remembered per catalog version (0 disables the cache). */
  cacheSize: number;
}

const key = (...parts: string[]): string => parts.map((part) => part.toLowerCase()).join('\u0000');

/** Catalog entries that can be mirrored faithfully; the rest are left out with a warning. */
function shadowableTables(catalog: readonly CatalogTable[], warnings: string[]): CatalogTable[] {
  const valid = catalog.filter((entry) => {
    const names = [entry.source, entry.schema, entry.table, ...entry.columns.map((column) => column.name)];
    if (names.some((name) => typeof name !== 'string' || name === '' || name.includes('\u0000'))) {
      warnings.push(`table ${displayTableName(entry)}: empty or invalid name; left out`);
      return false;
    }
    if (RESERVED_SOURCE_NAMES.has(entry.source.toLowerCase())) {
      warnings.push(`table ${displayTableName(entry)}: source name "${entry.source}" is reserved; left out`);
      return false;
    }
    if (RESERVED_SCHEMA_NAMES.has(entry.schema.toLowerCase())) {
      warnings.push(`table ${displayTableName(entry)}: schema name "${entry.schema}" is reserved; left out`);
      return false;
    }
    if (entry.columns.length === 0) {
      warnings.push(`table ${displayTableName(entry)}: no columns; left out`);
      return false;
    }
    const columns = new Set(entry.columns.map((column) => column.name.toLowerCase()));
    if (columns.size !== entry.columns.length) {
      // DuckDB names are case-insensitive: "A" and "a" cannot both be mirrored,
      // and mirroring one would make `*` differ from the edge.
      warnings.push(`table ${displayTableName(entry)}: column names differ only in case; left out`);
      return false;
    }
    return true;
  });

  // Names that differ only in case would resolve to one shadow object while
  // naming two real ones: leave every spelling out rather than guess.
  const ambiguous = new Set<string>();
  const spellings = new Map<string, string>();
  const entries = new Map<string, CatalogTable>();
  const note = (k: string, spelling: string): void => {
    const seen = spellings.get(k);
    if (seen !== undefined && seen !== spelling) ambiguous.add(k);
    spellings.set(k, spelling);
  };
  for (const entry of valid) {
    note(key('source', entry.source), entry.source);
    note(key('schema', entry.source, entry.schema), entry.schema);
    const tableKey = key('table', entry.source, entry.schema, entry.table);
    note(tableKey, entry.table);
    const previous = entries.get(tableKey);
    if (previous && JSON.stringify(previous) !== JSON.stringify(entry)) ambiguous.add(tableKey);
    entries.set(tableKey, entry);
  }
  const kept: CatalogTable[] = [];
  for (const [tableKey, entry] of entries) {
    const blocked = [key('source', entry.source), key('schema', entry.source, entry.schema), tableKey].some(
      (k) => ambiguous.has(k),
    );
    if (blocked)
      warnings.push(`table ${displayTableName(entry)}: name is ambiguous (case or duplicate); left out`);
    else kept.push(entry);
  }
  return kept;
}

export class ShadowCatalog implements AnalysisEnvironment {
  private readonly cache = new Map<string, AnalyzedQuery>();
  private readonly substitutes = new Map<string, Promise<Json>>();
  private inFlight = 0;
  private retired = false;
  private closed = false;
  /** Set when DuckDB reported a fatal error: the instance answers nothing any more. */
  broken = false;

  private constructor(
    readonly version: number | undefined,
    /** The catalog this instance mirrors, kept to rebuild it if DuckDB fails fatally. */
    readonly catalog: readonly CatalogTable[],
    readonly warnings: readonly string[],
    private readonly tables: ReadonlyMap<string, ShadowTable>,
    readonly systemRelations: ReadonlySet<string>,
    private readonly instance: DuckDBInstance,
    private readonly pool: ResourcePool<AnalysisSession>,
    private readonly cacheSize: number,
  ) {}

  static async build(
    version: number | undefined,
    catalog: readonly CatalogTable[],
    options: ShadowCatalogOptions,
  ): Promise<ShadowCatalog> {
    const warnings: string[] = [];
    const wanted = shadowableTables(catalog, warnings);
    const instance = await createInstance();
    const sessions: AnalysisSession[] = [];
    try {
      const setup = await instance.connect();
      let created: CatalogTable[];
      let systemRelations: Set<string>;
      try {
        created = await createShadowTables(setup, wanted, warnings);
        await verifyShadowTables(setup, created);
        // Built-in views an unqualified name can reach (search path: system.main, pg_catalog).
        const views = await setup.runAndReadAll(
          "SELECT DISTINCT lower(view_name) FROM duckdb_views() WHERE internal AND schema_name IN ('main', 'pg_catalog')",
        );
        systemRelations = new Set(views.getRows().map((row) => String(row[0])));
      } finally {
        setup.closeSync();
      }
      for (let i = 0; i < Math.max(1, options.connections); i++)
        sessions.push(await AnalysisSession.open(instance));
      const tables = new Map<string, ShadowTable>();
      for (const entry of created) {
        const ref = Object.freeze({ source: entry.source, schema: entry.schema, table: entry.table });
        const columnNames = Object.freeze(entry.columns.map((column) => column.name));
        tables.set(key(entry.source, entry.schema, entry.table), { ref, columnNames });
      }
      return new ShadowCatalog(
        version,
        catalog,
        Object.freeze(warnings),
        tables,
        systemRelations,
        instance,
        new ResourcePool(sessions),
        options.cacheSize,
      );
    } catch (error) {
      for (const session of sessions) session.close();
      instance.closeSync();
      throw error;
    }
  }

  readonly lookup = (catalog: string, schema: string, table: string): ShadowTable | undefined =>
    this.tables.get(key(catalog, schema, table));

  substituteTree(session: AnalysisSession, text: string): Promise<Json> {
    let tree = this.substitutes.get(text);
    if (!tree) {
      tree = parseExpression(session, text);
      this.substitutes.set(text, tree);
      tree.catch(() => this.substitutes.delete(text));
    }
    return tree;
  }

  async analyze(sql: string, params: readonly SqlValue[] | undefined): Promise<AnalyzedQuery> {
    if (this.closed) throw TributaryError.unavailable('SQL analyzer is closed');
    this.inFlight++;
    try {
      const cacheKey = `${parameterSignature(params)}\n${sql}`;
      const cached = this.cache.get(cacheKey);
      if (cached) {
        this.cache.delete(cacheKey);
        this.cache.set(cacheKey, cached);
        return cached;
      }
      const analyzed = await this.pool.use((session) =>
        analyzeQuery(session, this, sql, params).catch((error: unknown) => {
          if (isInstanceInvalidated(error)) this.broken = true;
          throw error;
        }),
      );
      if (this.cacheSize > 0 && sql.length <= 64 * 1024) {
        this.cache.set(cacheKey, analyzed);
        if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
      }
      return analyzed;
    } finally {
      this.inFlight--;
      if (this.retired && this.inFlight === 0) this.close();
    }
  }

  /** Stops taking work; closes once the analyses already running have finished. */
  retire(): void {
    this.retired = true;
    if (this.inFlight === 0) this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const session of this.pool.resources()) session.close();
    this.instance.closeSync();
  }
}

async function createShadowTables(
  setup: DuckDBConnection,
  wanted: readonly CatalogTable[],
  warnings: string[],
): Promise<CatalogTable[]> {
  const failedSources = new Set<string>();
  const readySchemas = new Map<string, boolean>();
  const types = new Map<string, string | undefined>();
  const created: CatalogTable[] = [];

  for (const source of new Set(wanted.map((entry) => entry.source))) {
    try {
      await setup.run(`ATTACH ':memory:' AS ${quoteIdentifier(source)}`);
    } catch (error) {
      failedSources.add(source);
      warnings.push(
        `source ${source}: cannot be mirrored (${(error as Error).message.split('\n')[0]}); left out`,
      );
    }
  }

  for (const entry of wanted) {
    if (failedSources.has(entry.source)) continue;
    const schemaKey = key(entry.source, entry.schema);
    if (!readySchemas.has(schemaKey)) {
      let ready = true;
      if (entry.schema.toLowerCase() !== 'main') {
        try {
          await setup.run(`CREATE SCHEMA ${quoteIdentifier(entry.source)}.${quoteIdentifier(entry.schema)}`);
        } catch (error) {
          ready = false;
          warnings.push(
            `schema ${entry.source}.${entry.schema}: cannot be mirrored (${(error as Error).message}); left out`,
          );
        }
      }
      readySchemas.set(schemaKey, ready);
    }
    if (!readySchemas.get(schemaKey)) continue;

    const columns: string[] = [];
    for (const column of entry.columns) {
      let sqlType = types.get(column.sqlType);
      if (!types.has(column.sqlType)) {
        sqlType = await canonicalType(setup, column.sqlType);
        types.set(column.sqlType, sqlType);
      }
      if (sqlType === undefined) {
        // The column must exist (it is part of `*`); its type only shapes
        // type-checking and the reported result type.
        warnings.push(
          `column ${displayTableName(entry)}.${column.name}: type "${column.sqlType}" is not a DuckDB type; analysed as VARCHAR`,
        );
        sqlType = 'VARCHAR';
      }
      columns.push(`${quoteIdentifier(column.name)} ${sqlType}`);
    }
    try {
      await setup.run(`CREATE TABLE ${quoteTableName(entry)} (${columns.join(', ')})`);
      created.push(entry);
    } catch (error) {
      warnings.push(
        `table ${displayTableName(entry)}: cannot be mirrored (${(error as Error).message}); left out`,
      );
    }
  }
  return created;
}

/**
 * The type as DuckDB renders it, or undefined if `sqlType` is not one DuckDB
 * type. Rendering (rather than pasting the catalog's text into DDL) means the
 * DDL only ever holds identifiers this module quoted and types DuckDB wrote.
 */
async function canonicalType(setup: DuckDBConnection, sqlType: string): Promise<string | undefined> {
  if (typeof sqlType !== 'string' || sqlType.trim() === '' || sqlType.includes('\u0000')) return undefined;
  try {
    const prepared = await setup.prepare(`SELECT CAST(NULL AS ${sqlType})`);
    try {
      return prepared.columnCount === 1 ? prepared.columnType(0).toString() : undefined;
    } finally {
      prepared.destroySync();
    }
  } catch {
    return undefined;
  }
}

/** The shadow instance must hold exactly the tables and columns planned, in order. */
async function verifyShadowTables(setup: DuckDBConnection, created: readonly CatalogTable[]): Promise<void> {
  const expected = new Map(
    created.map((entry) => [
      [entry.source, entry.schema, entry.table].join('\u0000'),
      entry.columns.map((column) => column.name),
    ]),
  );
  const reader = await setup.runAndReadAll(
    `SELECT database_name, schema_name, table_name, list(column_name ORDER BY column_index)
       FROM duckdb_columns() WHERE database_name NOT IN ('memory', 'system', 'temp')
       GROUP BY ALL`,
  );
  const rows = reader.getRowsJS();
  const mismatch =
    rows.length !== expected.size ||
    rows.some((row) => {
      const names = expected.get([row[0], row[1], row[2]].map(String).join('\u0000'));
      const actual = row[3];
      return (
        !names ||
        !Array.isArray(actual) ||
        actual.length !== names.length ||
        actual.some((n, i) => n !== names[i])
      );
    });
  if (mismatch) throw new TributaryError('INTERNAL', 'shadow catalog does not match the catalog');
}
