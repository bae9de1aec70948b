import { access, constants, readdir, stat } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { qualifiedName, quoteIdentifier, quoteLiteral } from '@tributary/core';
import type { SourceConnector, TableName } from './source-connector.js';

export type FileFormat = 'parquet' | 'csv' | 'json';

export interface FileTable {
  name: string;
  /** Absolute file path or glob. */
  pattern: string;
  format: FileFormat;
  hivePartitioning: boolean;
}

const EXTENSIONS: Record<string, FileFormat> = {
  '.parquet': 'parquet',
  '.csv': 'csv',
  '.tsv': 'csv',
  '.json': 'json',
  '.ndjson': 'json',
  '.jsonl': 'json',
};

export function formatOf(path: string): FileFormat | undefined {
  return EXTENSIONS[extname(path).toLowerCase()];
}

function tableNameFor(file: string): string {
  return basename(file, extname(file))
    .replace(/[^A-Za-z0-9_]/g, '_')
    .replace(/^(?=\d)/, '_')
    .toLowerCase();
}

/**
 * Finds tables in a directory: every data file is a table named after the
 * file; every sub-directory holding files of one format is one table over
 * all of them (hive partitioning when its folders look like `key=value`).
 */
export async function discoverFileTables(dir: string): Promise<FileTable[]> {
  const tables: FileTable[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isFile()) {
      const format = formatOf(entry.name);
      if (format)
        tables.push({ name: tableNameFor(entry.name), pattern: path, format, hivePartitioning: false });
    } else if (entry.isDirectory()) {
      const found = await formatsBelow(path);
      if (found.formats.size === 1) {
        const [format] = found.formats;
        const ext = format === 'parquet' ? 'parquet' : format === 'csv' ? 'csv' : 'json';
        tables.push({
          name: tableNameFor(entry.name),
          pattern: join(path, '**', `*.${ext}`),
          format: format as FileFormat,
          hivePartitioning: found.hive,
        });
      }
    }
  }
  return tables.sort((a, b) => a.name.localeCompare(b.name));
}

async function formatsBelow(dir: string): Promise<{ formats: Set<FileFormat>; hive: boolean }> {
  const formats = new Set<FileFormat>();
  let hive = false;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const format = formatOf(entry.name);
    if (format) formats.add(format);
    const parent = relative(dir, entry.parentPath ?? dir);
    if (parent.split(/[\\/]/).some((part) => part.includes('='))) hive = true;
  }
  return { formats, hive };
}

function readerCall(table: FileTable): string {
  const path = quoteLiteral(table.pattern);
  const hive = table.hivePartitioning ? ', hive_partitioning = true' : '';
  switch (table.format) {
    case 'parquet':
      return `read_parquet(${path}${hive})`;
    case 'csv':
      return `read_csv(${path}${hive})`;
    case 'json':
      return `read_json_auto(${path}${hive})`;
  }
}

/**
 * A directory of Parquet, CSV and JSON files. Its tables are views in an
 * in-memory catalog named after the source, so queries address them as
 * `source.main.table` exactly like tables of a DuckDB file.
 */
export class FilesSource implements SourceConnector {
  readonly kind = 'files';
  readonly readablePaths: string[];

  constructor(
    readonly name: string,
    private readonly dir: string,
    private readonly explicitTables?: FileTable[],
  ) {
    this.readablePaths = [dir];
  }

  /** View names declared now, so a refresh can drop the ones whose files went away. */
  private declared = new Set<string>();

  async attach(connection: DuckDBConnection): Promise<void> {
    await this.probe();
    await connection.run(`ATTACH ':memory:' AS ${quoteIdentifier(this.name)}`);
    await this.declare((sql) => connection.run(sql));
  }

  async refresh(run: (sql: string) => Promise<unknown>, only?: TableName): Promise<void> {
    await this.probe();
    await this.declare(run, only);
  }

  /** Declares a view per file table (only the table `only` when given) and drops views whose files went. */
  private async declare(run: (sql: string) => Promise<unknown>, only?: TableName): Promise<void> {
    // Every file table lives in schema `main`; names compare case-insensitively, as in DuckDB.
    const inScope = (name: string) =>
      !only ||
      ((!only.schema || only.schema.toLowerCase() === 'main') &&
        name.toLowerCase() === only.table.toLowerCase());
    const tables = (this.explicitTables ?? (await discoverFileTables(this.dir))).filter((t) =>
      inScope(t.name),
    );
    const names = new Set(tables.map((t) => t.name));
    for (const gone of this.declared) {
      if (inScope(gone) && !names.has(gone))
        await run(`DROP VIEW IF EXISTS ${qualifiedName(this.name, 'main', gone)}`);
    }
    for (const table of tables) {
      // Paths and names come from configuration and directory listings,
      // not callers; views cannot take bound parameters.
      await run(
        `CREATE OR REPLACE VIEW ${qualifiedName(this.name, 'main', table.name)} AS SELECT * FROM ${readerCall(table)}`,
      );
    }
    this.declared = new Set([...[...this.declared].filter((name) => !inScope(name)), ...names]);
  }

  async probe(): Promise<void> {
    await access(this.dir, constants.R_OK);
    if (!(await stat(this.dir)).isDirectory()) throw new Error(`${this.dir} is not a directory`);
  }
}
