import { statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';

export interface LockdownSettings {
  allowedDirectories: readonly string[];
  memoryLimit: string;
  threads?: number | undefined;
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
const list = (items: readonly string[]) => `[${items.map(quote).join(', ')}]`;

/**
 * Splits the configured paths into directories (matched by prefix, so each
 * gets a trailing separator: `/data` must not also allow `/data-secret`) and
 * single files, which DuckDB allows through `allowed_paths`.
 */
export function allowedPaths(paths: readonly string[]): { directories: string[]; files: string[] } {
  const directories: string[] = [];
  const files: string[] = [];
  for (const path of paths) {
    const absolute = resolve(path);
    let isFile = false;
    try {
      isFile = statSync(absolute).isFile();
    } catch {
      // A path that does not exist yet is treated as a directory.
    }
    if (isFile) files.push(absolute);
    else directories.push(absolute.endsWith(sep) ? absolute : absolute + sep);
  }
  return { directories, files };
}

/**
 * Locks the database down after setup, so that no query can read outside the
 * configured sources, install or load extensions, or change a setting. The
 * settings are global, so every connection opened afterwards is bound by
 * them; `lock_configuration` must come last.
 */
export async function lockDown(connection: DuckDBConnection, settings: LockdownSettings): Promise<void> {
  const { directories, files } = allowedPaths(settings.allowedDirectories);
  const statements = [
    `SET allowed_directories = ${list(directories)}`,
    `SET allowed_paths = ${list(files)}`,
    // Parquet, JSON and ICU are linked into @duckdb/node-bindings, so nothing needs autoloading.
    'SET autoinstall_known_extensions = false',
    'SET autoload_known_extensions = false',
    'SET allow_community_extensions = false',
    'SET enable_external_access = false',
    `SET memory_limit = ${quote(settings.memoryLimit)}`,
    ...(settings.threads ? [`SET threads = ${Math.trunc(settings.threads)}`] : []),
    // Structured errors (type, position) for the error model.
    'SET GLOBAL errors_as_json = true',
    'SET lock_configuration = true',
  ];
  for (const statement of statements) await connection.run(statement);
}
