/** A column of a catalog table, as the catalog knows it. */
export interface CatalogColumn {
  name: string;
  /** DuckDB SQL type, e.g. "INTEGER", "DECIMAL(18,2)", "STRUCT(a INTEGER)". */
  sqlType: string;
}

/** A table of the catalog: what the shadow catalog mirrors and what BuildQuery checks against. */
export interface CatalogTable {
  source: string;
  schema: string;
  table: string;
  columns: CatalogColumn[];
}

/** A base table, with names spelled as in the catalog. */
export interface TableRef {
  readonly source: string;
  readonly schema: string;
  readonly table: string;
}

/** A base-table column, spelled as in the catalog. */
export interface ColumnRef {
  readonly table: TableRef;
  readonly column: string;
}

/** A column of the query result. */
export interface OutputColumn {
  readonly name: string;
  /** DuckDB SQL type, e.g. "BIGINT", "DECIMAL(18,2)", "VARCHAR[]". */
  readonly sqlType: string;
}

/** What a read-only query reads and returns, derived from DuckDB's bound plan. Deeply frozen. */
export interface AnalyzedQuery {
  readonly statementType: 'SELECT';
  /** Every base table read, distinct, sorted by source, schema, table. */
  readonly tables: readonly TableRef[];
  /**
   * Every base-table column bound anywhere in the query (select list, WHERE,
   * JOIN ON/USING, GROUP BY, HAVING, ORDER BY, windows, subqueries, CTEs, `*`
   * expansion, …), distinct, sorted by table then column. A table read only
   * for its row count (e.g. `count(*)`) appears in `tables` with no columns.
   */
  readonly columns: readonly ColumnRef[];
  readonly outputColumns: readonly OutputColumn[];
  /** Placeholders the query expects: the highest `$n` (0 when none). */
  readonly parameterCount: number;
  /** The catalog version the query was analyzed against (undefined before the first setCatalog). */
  readonly catalogVersion: number | undefined;
}
