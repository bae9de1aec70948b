// The tools an agent uses. Each is a call of the service a person's request
// would reach — CatalogService, QueryService, SavedQueryService — with the
// agent's own request context, so authentication scopes, governance (the
// owner's access narrowed by the agent's scope), rewrite and audit are the
// ordinary path's. Nothing here reads data any other way.

import { JsonRowEncoder, type SqlValue, TributaryError, toTributaryError } from '@tributary/core';
import { RecordBatchReader } from 'apache-arrow';
import type { RequestContext } from '../context.js';
import type { SavedQueryService } from '../saved-queries/index.js';
import type { CatalogService } from '../services/catalog-service.js';
import type { QueryRequest, QueryService } from '../services/query-service.js';
import { resultIpc } from '../services/result-ipc.js';
import { type AgentTool, bindable } from './model.js';

export interface ToolDeps {
  query: QueryService;
  catalog: CatalogService;
  savedQueries: SavedQueryService;
}

/** What a tool returned: a table of values (a query's result, a listing), and the query it ran, if any. */
export interface ToolResult {
  queryId?: string;
  sql?: string;
  columns: string[];
  rows: Record<string, unknown>[];
  rowCount: number;
  truncated: boolean;
}

/** A tool's failure, with the id of the query that was refused or failed, when there was one. */
export class ToolError extends Error {
  constructor(
    readonly error: TributaryError,
    readonly queryId?: string,
    readonly sql?: string,
  ) {
    super(error.message);
  }
}

function asText(args: Record<string, unknown>, key: string, required = true): string {
  const value = args[key];
  if (value === undefined || value === null || value === '') {
    if (required) throw TributaryError.invalid(`${key} is required`);
    return '';
  }
  if (typeof value !== 'string') throw TributaryError.invalid(`${key} must be a string`);
  return value;
}

function asParams(raw: unknown): SqlValue[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw TributaryError.invalid('params must be a list of values');
  return raw.map((value, i) => {
    if (value === null || ['boolean', 'number', 'string', 'bigint'].includes(typeof value)) {
      return bindable(value as SqlValue);
    }
    throw TributaryError.invalid(`params[${i}] must be a scalar`);
  });
}

/** Runs one tool for the agent whose context `ctx` is. */
export class AgentTools {
  constructor(private readonly deps: ToolDeps) {}

  async call(
    ctx: RequestContext,
    tool: AgentTool,
    args: Record<string, unknown>,
    maxRows: number,
    /** Bound values of a playbook step; a model passes them in `args.params`. */
    bound?: { params: SqlValue[]; named: Record<string, unknown> },
  ): Promise<ToolResult> {
    switch (tool) {
      case 'catalog.browse': {
        const listing = await this.deps.catalog.listTables(ctx, {
          filter: asText(args, 'filter', false),
          page_size: 1_000,
        });
        const rows = (listing.tables ?? []).map((t) => ({
          table: `${t.ref?.source}.${t.ref?.schema}.${t.ref?.table}`,
          columns: (t.columns ?? []).length,
        }));
        return { columns: ['table', 'columns'], rows, rowCount: rows.length, truncated: false };
      }
      case 'catalog.describe': {
        const table = await this.deps.catalog.getTable(ctx, asText(args, 'table'));
        const rows = table.columns.map((c) => ({ column: c.name, type: c.sql_type, tags: c.tags.join(',') }));
        return { columns: ['column', 'type', 'tags'], rows, rowCount: rows.length, truncated: false };
      }
      case 'query.validate': {
        const sql = asText(args, 'sql');
        const answer = await this.deps.query.validate(ctx, sql, asParams(args.params));
        if (!answer.valid) {
          throw new ToolError(
            new TributaryError(
              (answer.error?.code ?? 'INVALID_ARGUMENT') as TributaryError['code'],
              answer.error?.message ?? 'invalid',
            ),
            undefined,
            sql,
          );
        }
        const rows = (answer.output_columns ?? []).map((c) => ({ column: c.name, type: c.sql_type }));
        return { sql, columns: ['column', 'type'], rows, rowCount: rows.length, truncated: false };
      }
      case 'query.run': {
        const sql = asText(args, 'sql');
        return this.runQuery(ctx, { sql, params: bound?.params ?? asParams(args.params), limit: maxRows });
      }
      case 'saved_query.run': {
        const id = asText(args, 'id');
        const values = bound?.named ?? args.parameters ?? {};
        const prepared = await this.deps.savedQueries.prepare(ctx, id, {
          parameters: values,
          limit: maxRows,
        });
        return this.runQuery(ctx, prepared.request);
      }
    }
  }

  /** Reads a whole (row-limited) result, decoded with the JSON value mapping every JSON API uses. */
  private async runQuery(ctx: RequestContext, request: QueryRequest): Promise<ToolResult> {
    let queryId: string | undefined;
    try {
      const execution = await this.deps.query.execute(ctx, {
        ...request,
        onQueryId: (id) => {
          queryId = id;
        },
      });
      queryId = execution.queryId;
      const result = resultIpc(execution);
      const reader = await RecordBatchReader.from(result.ipc);
      await reader.open();
      const columns = reader.schema.fields.map((f) => f.name);
      const encoder = new JsonRowEncoder(reader.schema);
      const rows: Record<string, unknown>[] = [];
      for await (const batch of reader) for (const row of encoder.rows(batch)) rows.push(row);
      const metadata = result.metadata();
      return {
        queryId,
        sql: request.sql,
        columns,
        rows,
        rowCount: rows.length,
        truncated: Boolean(metadata?.truncated),
      };
    } catch (error) {
      // toTributaryError keeps an unexpected failure's details out of the transcript.
      throw new ToolError(toTributaryError(error), queryId, request.sql);
    }
  }
}
