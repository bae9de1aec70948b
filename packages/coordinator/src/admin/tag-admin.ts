import type {
  ColumnTags,
  ListTagsRequest,
  ListTagsResponse__Input,
  PutTagsRequest,
  TableTags__Input,
} from '@tributary/core';
import { formatTableRef, parseTableName } from '../catalog/index.js';
import type { AdminContext } from './admin-context.js';
import { type AdminDeps, recordChange } from './admin-deps.js';
import * as input from './input.js';
import { tableTagsView } from './views.js';

/** `source.table` and quoted forms become the one canonical `source.schema.table`. */
function tableName(raw: unknown): string {
  return formatTableRef(parseTableName(input.text(raw, 'table', { max: 512, required: true })));
}

function columnTags(raw: readonly ColumnTags[] | undefined): Record<string, string[]> {
  const columns: Record<string, string[]> = {};
  for (const entry of raw ?? []) {
    const column = input.text(entry.column, 'columns.column', { max: 256, required: true });
    const tags = input.tagList(entry.tags, `tags of column ${column}`);
    columns[column] = [...new Set([...(columns[column] ?? []), ...tags])].sort();
  }
  return columns;
}

/**
 * Governance tags on tables and columns (e.g. `pii`), which tag rules in the
 * policy document refer to. Tags may name tables no edge serves yet.
 */
export class TagAdmin {
  constructor(private readonly deps: AdminDeps) {}

  async list(ctx: AdminContext, request: Partial<ListTagsRequest>): Promise<ListTagsResponse__Input> {
    const table = request.table ? tableName(request.table) : undefined;
    return { tables: (await this.deps.store.tags.list(ctx.tenant, table)).map(tableTagsView) };
  }

  async replace(ctx: AdminContext, request: Partial<PutTagsRequest>): Promise<TableTags__Input> {
    const table = tableName(request.table);
    const change = { tags: input.tagList(request.tags, 'tags'), columns: columnTags(request.columns) };
    const [before] = await this.deps.store.tags.list(ctx.tenant, table);
    const after = await this.deps.store.tags.replace(ctx.tenant, table, change);
    recordChange(this.deps, ctx, {
      action: 'tags.replace',
      target: table,
      before: before ? tableTagsView(before) : undefined,
      after: tableTagsView(after),
    });
    return tableTagsView(after);
  }
}
