import {
  type ExplainAccessResponse__Input,
  fromProtoValue,
  type ListTablesRequest,
  type ListTablesResponse__Input,
  type SourceInfo__Input,
  type Table,
  TributaryError,
  type Value,
} from '@tributary/core';
import { requireScope } from '../auth/index.js';
import { type Catalog, type CatalogTable, formatTableRef } from '../catalog/index.js';
import type { RequestContext } from '../context.js';
import { buildQuery } from '../query/build/index.js';
import { accessInfo } from './access-info.js';
import type { Governance } from './governance.js';
import type { QueryExecution, QueryService } from './query-service.js';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1_000;
const DEFAULT_PREVIEW_ROWS = 100;
const MAX_PREVIEW_ROWS = 10_000;

interface PageCursor {
  after: string;
}

function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(token: string): PageCursor {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PageCursor;
    if (typeof parsed.after !== 'string') throw new Error('bad cursor');
    return parsed;
  } catch {
    throw TributaryError.invalid('page_token is not a token this API issued');
  }
}

/** Browsing the catalog: the protocol-free core of CatalogService. */
export class CatalogService {
  constructor(
    private readonly catalog: Catalog,
    private readonly queries: QueryService,
    private readonly governance: Governance,
  ) {}

  /** The tables the caller may read something of; the catalog shows nothing else. */
  private async visibleTables(ctx: RequestContext): Promise<CatalogTable[]> {
    requireScope(ctx.principal, 'catalog');
    const tables = this.catalog.snapshot().tables;
    const readable = await this.governance.readableTables(ctx.principal, tables);
    return tables.filter((t) => readable.has(formatTableRef(t.ref).toLowerCase()));
  }

  async listSources(ctx: RequestContext): Promise<SourceInfo__Input[]> {
    const visible = await this.visibleTables(ctx);
    const counts = new Map<string, number>();
    for (const t of visible)
      counts.set(t.ref.source.toLowerCase(), (counts.get(t.ref.source.toLowerCase()) ?? 0) + 1);
    return this.catalog
      .snapshot()
      .sources.filter((s) => counts.has(String(s.name).toLowerCase()))
      .map((s) => ({ ...s, table_count: counts.get(String(s.name).toLowerCase()) ?? 0 }));
  }

  async listTables(
    ctx: RequestContext,
    request: Partial<ListTablesRequest>,
  ): Promise<ListTablesResponse__Input> {
    const pageSize = request.page_size || DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw TributaryError.invalid(`page_size must be between 1 and ${MAX_PAGE_SIZE}`);
    }
    const after = request.page_token ? decodeCursor(request.page_token).after : undefined;
    const source = request.source?.toLowerCase();
    const schema = request.schema?.toLowerCase();
    const filter = request.filter?.toLowerCase();
    const matching = (await this.visibleTables(ctx))
      .filter((t) => !source || t.ref.source.toLowerCase() === source)
      .filter((t) => !schema || t.ref.schema.toLowerCase() === schema)
      .filter((t) => !filter || formatTableRef(t.ref).toLowerCase().includes(filter))
      .filter((t) => after === undefined || formatTableRef(t.ref) > after);
    // Contract fields only: the catalog's internal bookkeeping stays inside.
    const page = matching.slice(0, pageSize).map(({ sourceKind: _internal, ...table }) => table);
    const last = page.at(-1);
    return {
      tables: page,
      next_page_token:
        matching.length > pageSize && last ? encodeCursor({ after: formatTableRef(last.ref) }) : '',
    };
  }

  /** A table the caller may read nothing of is NOT_FOUND, exactly like one that does not exist. */
  async getTable(ctx: RequestContext, name: string): Promise<Table> {
    requireScope(ctx.principal, 'catalog');
    if (!name) throw TributaryError.invalid('table is required');
    const table = this.catalog.snapshot().resolve(name);
    const explanation = await this.governance.explain(ctx.principal, name);
    if (!explanation.readable)
      throw TributaryError.notFound(`table ${formatTableRef(table.ref)} not found`, { table: name });
    const access = new Map(explanation.columns.map((c) => [c.name, c.access]));
    const tags = await this.governance.columnTags(ctx.principal.tenant, table.ref);
    return {
      ref: table.ref,
      kind: table.kind,
      row_count_estimate: table.row_count_estimate,
      columns: table.columns
        .filter((c) => access.get(c.name) !== 'denied')
        .map((c) => {
          const own = tags(c.name);
          return { ...c, tags: access.get(c.name) === 'masked' ? [...own, 'masked'] : own };
        }),
    };
  }

  async explainAccess(ctx: RequestContext, name: string): Promise<ExplainAccessResponse__Input> {
    requireScope(ctx.principal, 'catalog');
    if (!name) throw TributaryError.invalid('table is required');
    const table = this.catalog.snapshot().resolve(name);
    const explanation = await this.governance.explain(ctx.principal, name);
    if (!explanation.readable) {
      return {
        readable: false,
        access: { table: table.ref, columns: [], grants: [], filters: [], masks: [] },
      };
    }
    return { readable: true, access: accessInfo(explanation) };
  }

  /** A preview goes through exactly the query path, so it is governed like any query. */
  async getRecords(
    ctx: RequestContext,
    request: { table: string; columns: string[]; limit: number },
  ): Promise<QueryExecution> {
    const limit = request.limit || DEFAULT_PREVIEW_ROWS;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PREVIEW_ROWS) {
      throw TributaryError.invalid(`limit must be between 1 and ${MAX_PREVIEW_ROWS}`);
    }
    const table = this.catalog.snapshot().resolve(request.table);
    // Without a column list, preview what the caller may see rather than
    // every column (which a denied column would refuse).
    let columns = request.columns;
    if (columns.length === 0) {
      const explanation = await this.governance.explain(ctx.principal, request.table);
      columns = explanation.columns.filter((c) => c.access !== 'denied').map((c) => c.name);
      if (!explanation.readable || columns.length === 0) {
        throw TributaryError.notFound(`table ${formatTableRef(table.ref)} not found`, {
          table: request.table,
        });
      }
    }
    const built = buildQuery(
      {
        table: request.table,
        columns,
        filters: [],
        order_by: [],
        limit: String(limit),
        offset: '0',
      },
      {
        source: table.ref.source,
        schema: table.ref.schema,
        table: table.ref.table,
        columns: table.columns.map((c) => ({ name: c.name, sqlType: c.sql_type })),
      },
    );
    return this.queries.execute(ctx, {
      sql: built.sql,
      // The builder emits canonical values (a `kind` and one string-typed field), i.e. decoded form.
      params: built.params.map((p) => fromProtoValue(p as Value)),
      limit,
    });
  }
}
