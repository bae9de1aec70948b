import { join } from 'node:path';
import type { EdgeSourceConfig } from '../config/edge-config.js';
import { DuckDbFileSource } from './duckdb-file-source.js';
import { FilesSource, type FileTable, formatOf } from './files-source.js';
import { PostgresSource } from './postgres/index.js';
import type { SourceConnector } from './source-connector.js';

export { DuckDbFileSource } from './duckdb-file-source.js';
export { discoverFileTables, FilesSource } from './files-source.js';
export { PostgresSource, type QueryPath, QueryRouter, type QueryRun } from './postgres/index.js';
export type { SourceConnector, TableName } from './source-connector.js';

export function connectorFor(config: EdgeSourceConfig): SourceConnector {
  switch (config.type) {
    case 'duckdb':
      return new DuckDbFileSource(config.name, config.path);
    case 'postgres':
      return new PostgresSource(config);
    case 'files': {
      const explicit = config.tables?.map(
        (table): FileTable => ({
          name: table.name,
          pattern: join(config.path, table.path),
          format: table.format ?? formatOf(table.path) ?? 'parquet',
          hivePartitioning: table.hive_partitioning,
        }),
      );
      return new FilesSource(config.name, config.path, explicit);
    }
  }
}
