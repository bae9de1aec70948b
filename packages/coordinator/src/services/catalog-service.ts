import {
  fromProtoValue,
  type ListTablesRequest,
  type ListTablesResponse__Input,
  type SourceInfo__Input,
  type Table,
  TributaryError,
  type Value,
} from '@tributary/core';
import { type Catalog, formatTableRef } from '../catalog/index.js';
import type { RequestContext } from '../context.js';
import { buildQuery } from '../query/build/index.js';
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
  ) {}

  listSources(_ctx: RequestContext): SourceInfo__Input[] {
    return [...this.catalog.snapshot().sources];
  }

  listTables(_ctx: RequestContext, request: Partial<ListTablesRequest>): ListTablesResponse__Input {
    const pageSize = request.page_size || DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw TributaryError.invalid(`page_size must be between 1 and ${MAX_PAGE_SIZE}`);
    }
    const after = request.page_token ? decodeCursor(request.page_token).after : undefined;
    const source = request.source?.toLowerCase();
    const schema = request.schema?.toLowerCase();
    const filter = request.filter?.toLowerCase();
    const matching = this.catalog
      .snapshot()
      .tables.filter((t) => !source || t.ref.source.toLowerCase() === source)
      .filter((t) => !schema || t.ref.schema.toLowerCase() === schema)
      .filter((t) => !filter || formatTableRef(t.ref).toLowerCase().includes(filter))
      .filter((t) => after === undefined || formatTableRef(t.ref) > after);
    const page = matching.slice(0, pageSize);
    const last = page.at(-1);
    return {
      tables: page,
      next_page_token:
        matching.length > pageSize && last ? encodeCursor({ after: formatTableRef(last.ref) }) : '',
    };
  }

  getTable(_ctx: RequestContext, name: string): Table {
    if (!name) throw TributaryError.invalid('table is required');
    return this.catalog.snapshot().resolve(name);
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
    const table = this.getTable(ctx, request.table) as ReturnType<CatalogService['getTable']> & {
      ref: NonNullable<Table['ref']>;
    };
    const built = buildQuery(
      {
        table: request.table,
        columns: request.columns,
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
