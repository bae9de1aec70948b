// Query analysis at the coordinator: step 2 of the query path. SQL is parsed,
// checked and resolved against the catalog WITHOUT running it, by an
// in-process DuckDB holding empty "shadow" tables shaped like the catalog.
//
//   const analyzer = await SqlAnalyzer.create();
//   await analyzer.setCatalog(version, tables);          // whenever the catalog changes
//   const q = await analyzer.analyze(sql, params);       // AnalyzedQuery or a TributaryError
//   await analyzer.close();
//
// Refused with INVALID_ARGUMENT (message names the offending part; details.position
// is the 1-based character position in the SQL when DuckDB reports one):
//   - syntax errors;
//   - empty input, more than one statement, and any statement but a query
//     (SELECT, WITH … SELECT, VALUES, UNION/INTERSECT/EXCEPT): INSERT, UPDATE,
//     DELETE, CREATE, DROP, ALTER, ATTACH, DETACH, COPY, EXPORT, INSTALL, LOAD,
//     SET, RESET, PRAGMA, CALL, EXPLAIN, DESCRIBE/SHOW/SUMMARIZE, …;
//   - table functions other than range, generate_series and unnest (read_csv,
//     read_parquet, query, glob, duckdb_*(), …), also when reached through a view;
//   - references to DuckDB's own catalogs: system., temp., information_schema,
//     pg_catalog, duckdb_* / pg_* / sqlite_* views; and file or URL names used
//     as tables;
//   - a few scalar functions with side effects or that read settings
//     (nextval, setval, currval, current_setting, getvariable);
//   - named parameters ($name), placeholders inside COLUMNS(…) / * LIKE, and
//     a params list whose length is not the query's placeholder count;
//   - binder errors (unknown column, ambiguous reference, type errors), with
//     DuckDB's first line as the message.
// Unknown table → NOT_FOUND "table x.y.z not found" (details.table as written).
//
// Also refused: a CTE nothing refers to (DuckDB would skip it unbound, so
// it would appear in no report).
//
// Column lineage comes from DuckDB's bound, UNOPTIMIZED logical plan
// (json_serialize_plan): each table scan lists every column the binder
// resolved against it, wherever the column appears. See bound-plan.ts.
// Reported names are the catalog's spelling. Virtual columns (rowid) are not
// reported. Result columns come from preparing (never executing) the query.
//
// Shadow catalog (shadow-catalog.ts): one DuckDB instance per catalog
// version, created locked down (no external access, no extension
// install/load, configuration locked, optimizer off) before its DDL runs;
// setCatalog builds a new instance and swaps it in, the old one closes when
// its analyses finish. Catalog entries that cannot be mirrored faithfully
// (reserved source names, names differing only in case, duplicate column
// names) are left out and listed in `catalogWarnings`; queries naming them
// get NOT_FOUND. A fatal DuckDB error replaces the instance.
//
// Placeholders ($1, ?): analysed with a stand-in of the value's type
// (parameterSqlType), or of the type DuckDB infers when no values are
// given; see parameters.ts. Results are cached per catalog version, SQL text
// and parameter types, and are deeply frozen.

export { parameterSqlType } from './parameters.js';
export { ALLOWED_TABLE_FUNCTIONS, DENIED_SCALAR_FUNCTIONS } from './parse-tree.js';
export { RESERVED_SOURCE_NAMES } from './shadow-catalog.js';
export { SqlAnalyzer, type SqlAnalyzerOptions } from './sql-analyzer.js';
export { displayTableName, quoteIdentifier, quoteTableName } from './sql-text.js';
export type {
  AnalyzedQuery,
  CatalogColumn,
  CatalogTable,
  ColumnRef,
  OutputColumn,
  TableRef,
} from './types.js';
