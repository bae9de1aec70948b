import type { TableTagsChange, TableTagsRecord } from '../records.js';
import type { TagRepository } from '../store.js';
import { millis, text } from './columns.js';
import type { Row, StoreDatabase } from './database.js';

/** Groups tag rows (one per table/column/tag, ordered by table) into one record per table. */
function toTables(rows: Row[]): TableTagsRecord[] {
  const tables = new Map<string, TableTagsRecord>();
  for (const row of rows) {
    const name = text(row.table_name);
    let table = tables.get(name);
    if (!table) {
      table = { tenant: text(row.tenant), table: name, tags: [], columns: {}, updatedAt: 0 };
      tables.set(name, table);
    }
    const column = text(row.column_name);
    const tag = text(row.tag);
    if (column === '') table.tags.push(tag);
    else table.columns[column] = [...(table.columns[column] ?? []), tag];
    table.updatedAt = Math.max(table.updatedAt, millis(row.updated_at));
  }
  return [...tables.values()];
}

const SELECT_TAGS = `SELECT * FROM table_tags
  WHERE tenant = $tenant AND ($table::VARCHAR IS NULL OR table_name = $table::VARCHAR)
  ORDER BY table_name, column_name, tag`;

export class DuckDbTags implements TagRepository {
  constructor(
    private readonly db: StoreDatabase,
    private readonly clock: () => number,
  ) {}

  async list(tenant: string, table?: string): Promise<TableTagsRecord[]> {
    const rows = await this.db.read((sql) => sql.all(SELECT_TAGS, { tenant, table: table || null }));
    return toTables(rows);
  }

  replace(tenant: string, table: string, change: TableTagsChange): Promise<TableTagsRecord> {
    return this.db.write(async (sql) => {
      const now = this.clock();
      await sql.run('DELETE FROM table_tags WHERE tenant = $tenant AND table_name = $table', {
        tenant,
        table,
      });
      const rows = [
        ...[...new Set(change.tags)].map((tag) => ({ column: '', tag })),
        ...Object.entries(change.columns).flatMap(([column, tags]) =>
          [...new Set(tags)].map((tag) => ({ column, tag })),
        ),
      ];
      await sql.runMany(
        `INSERT INTO table_tags (tenant, table_name, column_name, tag, updated_at)
         VALUES ($tenant, $table, $column, $tag, epoch_ms($now::BIGINT))`,
        rows.map((row) => ({ tenant, table, column: row.column, tag: row.tag, now })),
      );
      const stored = toTables(await sql.all(SELECT_TAGS, { tenant, table }));
      return stored[0] ?? { tenant, table, tags: [], columns: {}, updatedAt: now };
    });
  }
}
