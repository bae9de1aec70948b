import { qualifiedName, type Source__Input, type Table__Input } from '@tributary/core';
import type { QueryEngine } from '@tributary/engine';
import { RecordBatchReader } from 'apache-arrow';
import type { SourceConnector } from '../sources/index.js';

interface ColumnRow {
  database_name: string;
  schema_name: string;
  table_name: string;
  column_name: string;
  data_type: string;
  is_nullable: boolean;
  column_index: number;
}

interface TableRow {
  database_name: string;
  schema_name: string;
  table_name: string;
  kind: 'table' | 'view';
  estimated_size: bigint | number | null;
}

/** The Arrow type names of a table's columns, read from a zero-row result of the real engine. */
async function arrowTypesOf(engine: QueryEngine, name: string): Promise<Map<string, string>> {
  const parts: Uint8Array[] = [];
  for await (const chunk of engine.stream(`SELECT * FROM ${name} LIMIT 0`, [])) parts.push(chunk.ipc);
  const reader = await RecordBatchReader.from(Buffer.concat(parts)).open();
  return new Map(reader.schema.fields.map((field) => [field.name, String(field.type)]));
}

async function estimateRows(engine: QueryEngine, row: TableRow, name: string): Promise<number> {
  if (row.kind === 'table' && row.estimated_size != null) return Number(row.estimated_size);
  // Parquet keeps row counts in its footer, so counting a Parquet view is
  // cheap; other formats would need a full scan, so they report unknown.
  const definition = await engine.runTrusted<{ sql: string }>(
    'SELECT sql FROM duckdb_views() WHERE database_name = $1 AND schema_name = $2 AND view_name = $3',
    [row.database_name, row.schema_name, row.table_name],
  );
  if (!definition[0]?.sql.includes('read_parquet(')) return -1;
  const counted = await engine.runTrusted<{ n: bigint }>(`SELECT count(*) AS n FROM ${name}`);
  return Number(counted[0]?.n ?? -1);
}

/** Sources → schemas → tables → columns, as the engine sees them after set-up. */
export async function discoverSchema(
  engine: QueryEngine,
  connectors: readonly SourceConnector[],
): Promise<Source__Input[]> {
  const sources: Source__Input[] = [];
  for (const connector of connectors) {
    const tableRows = await engine.runTrusted<TableRow>(
      `SELECT database_name, schema_name, table_name, 'table' AS kind, estimated_size
         FROM duckdb_tables() WHERE database_name = $1 AND NOT internal
       UNION ALL
       SELECT database_name, schema_name, view_name, 'view', NULL
         FROM duckdb_views() WHERE database_name = $1 AND NOT internal
       ORDER BY 2, 3`,
      [connector.name],
    );
    const columnRows = await engine.runTrusted<ColumnRow>(
      `SELECT database_name, schema_name, table_name, column_name, data_type, is_nullable, column_index
         FROM duckdb_columns() WHERE database_name = $1 AND NOT internal
        ORDER BY schema_name, table_name, column_index`,
      [connector.name],
    );
    const schemas = new Map<string, Table__Input[]>();
    for (const row of tableRows) {
      const name = qualifiedName(row.database_name, row.schema_name, row.table_name);
      const arrowTypes = await arrowTypesOf(engine, name);
      const columns = columnRows
        .filter((c) => c.schema_name === row.schema_name && c.table_name === row.table_name)
        .map((c) => ({
          name: c.column_name,
          sql_type: c.data_type,
          arrow_type: arrowTypes.get(c.column_name) ?? '',
          nullable: c.is_nullable,
        }));
      const table: Table__Input = {
        ref: { source: connector.name, schema: row.schema_name, table: row.table_name },
        kind: row.kind,
        columns,
        row_count_estimate: String(await estimateRows(engine, row, name)),
      };
      const list = schemas.get(row.schema_name) ?? [];
      list.push(table);
      schemas.set(row.schema_name, list);
    }
    sources.push({
      name: connector.name,
      kind: connector.kind,
      schemas: [...schemas].map(([name, tables]) => ({ name, tables })),
      unavailable: connector.unavailable?.() ?? '',
    });
  }
  return sources;
}
