import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  type TableAccessInfo__Input,
  type TableRef__Input,
  TRIBUTARY_VERSION,
  toTributaryError,
} from '@tributary/core';
import { z } from 'zod';
import type { RequestContext } from '../../context.js';
import type { CoordinatorServices } from '../../services/index.js';
import { paramsFromJson } from '../http/routes/params.js';
import { collectResult, resultText, toJson } from './format.js';

const DEFAULT_QUERY_ROWS = 100;
const MAX_QUERY_ROWS = 1_000;
const DEFAULT_SAMPLE_ROWS = 10;
const MAX_SAMPLE_ROWS = 100;
const MAX_LISTED_TABLES = 1_000;

const INSTRUCTIONS = `Tributary answers read-only SQL (DuckDB dialect) over many data sources, governed by the caller's policies.
Tables are named source.schema.table. Start with list_sources or list_tables, then describe_table for columns and
what is masked or denied for you, then run_query. Denied columns cannot be selected (QUERY_UNAUTHORIZED); masked
columns return masked values; row filters may hide rows. Only one SELECT statement per query.`;

const paramsSchema = z
  .array(z.union([z.string(), z.number(), z.boolean(), z.null()]))
  .optional()
  .describe('Values for the $1, $2, … placeholders in the SQL, in order');

const tableSchema = z
  .string()
  .min(1)
  .describe('Table name as source.schema.table (e.g. lake.main.customers), as list_tables shows it');

function text(value: string, structured?: Record<string, unknown>): CallToolResult {
  return structured
    ? { content: [{ type: 'text', text: value }], structuredContent: structured }
    : { content: [{ type: 'text', text: value }] };
}

function tableName(ref: TableRef__Input | null | undefined): string {
  return ref ? `${ref.source}.${ref.schema}.${ref.table}` : '';
}

function accessLines(access: TableAccessInfo__Input): string[] {
  const lines: string[] = [];
  const list = (label: string, items: string[] | undefined) => {
    if (items && items.length > 0) lines.push(`${label}: ${items.join(', ')}`);
  };
  const byAccess = (kind: string) =>
    (access.columns ?? []).filter((c) => c.access === kind).map((c) => String(c.name));
  list('masked columns (values come back masked)', byAccess('masked'));
  list('denied columns (selecting or referencing them is refused)', byAccess('denied'));
  lines.push(`row filter applies: ${access.row_filtered ? 'yes (you see only some rows)' : 'no'}`);
  list('policies granting access', access.grants);
  list('row filter policies', access.filters);
  list('mask policies', access.masks);
  list('protections', access.protections);
  list('tag rules', access.tag_rules);
  return lines;
}

/**
 * One MCP server for one authenticated HTTP request: every tool and resource
 * calls the shared services with this request's context, so the assistant
 * acts as exactly that principal under all its policies.
 */
export function buildMcpServer(services: CoordinatorServices, ctx: RequestContext): McpServer {
  const server = new McpServer(
    { name: 'tributary', version: TRIBUTARY_VERSION },
    { instructions: INSTRUCTIONS, capabilities: { tools: {}, resources: {} } },
  );

  /** Failures are tool results a model can act on, never transport errors. */
  const run =
    <A>(name: string, fn: (args: A) => Promise<CallToolResult>) =>
    async (args: A): Promise<CallToolResult> => {
      try {
        ctx.logger.debug({ tool: name }, 'mcp tool call');
        return await fn(args);
      } catch (error) {
        const failure = toTributaryError(error);
        if (failure.code === 'INTERNAL') ctx.logger.error({ err: error, tool: name }, 'mcp tool failed');
        else
          ctx.logger.info({ tool: name, code: failure.code, message: failure.message }, 'mcp tool refused');
        return {
          isError: true,
          content: [{ type: 'text', text: `${failure.code}: ${failure.message} (request ${ctx.requestId})` }],
        };
      }
    };

  async function describe(name: string) {
    const table = await services.catalog.getTable(ctx, name);
    const explained = await services.catalog.explainAccess(ctx, name);
    const access = explained.access ?? {};
    const denied = (access.columns ?? []).filter((c) => c.access === 'denied').map((c) => String(c.name));
    const columnAccess = new Map((access.columns ?? []).map((c) => [String(c.name), String(c.access)]));
    const columns = (table.columns ?? []).map((c) => ({
      name: c.name,
      sql_type: c.sql_type,
      nullable: c.nullable,
      tags: c.tags ?? [],
      access: columnAccess.get(c.name) ?? 'allowed',
    }));
    const lines = [
      `table ${tableName(table.ref)} (${table.kind || 'table'}, about ${String(table.row_count_estimate ?? 0)} rows)`,
      'columns (name: type [tags] access):',
      ...columns.map(
        (c) =>
          `- ${c.name}: ${c.sql_type}${c.nullable ? '' : ' NOT NULL'}${
            c.tags.length > 0 ? ` [${c.tags.join(', ')}]` : ''
          }${c.access === 'allowed' ? '' : ` (${c.access})`}`,
      ),
      ...accessLines(access),
    ];
    return {
      text: lines.join('\n'),
      json: {
        table: tableName(table.ref),
        kind: table.kind,
        row_count_estimate: String(table.row_count_estimate ?? 0),
        columns,
        denied_columns: denied,
        row_filtered: Boolean(access.row_filtered),
        policies: {
          grants: access.grants ?? [],
          filters: access.filters ?? [],
          masks: access.masks ?? [],
          protections: access.protections ?? [],
          tag_rules: access.tag_rules ?? [],
        },
      },
    };
  }

  async function readableTables(search?: string, source?: string, limit = MAX_LISTED_TABLES) {
    const page = await services.catalog.listTables(ctx, {
      filter: search ?? '',
      source: source ?? '',
      page_size: limit,
    });
    return { tables: page.tables ?? [], more: Boolean(page.next_page_token) };
  }

  server.registerTool(
    'list_sources',
    {
      title: 'List data sources',
      description:
        'Lists the data sources (databases, file sets) you can read, with their kind, health and how many tables you may read in each. Start here to discover what data exists.',
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    run('list_sources', async () => {
      const sources = await services.catalog.listSources(ctx);
      if (sources.length === 0) return text('No sources are readable for you.');
      const lines = sources.map(
        (s) =>
          `- ${s.name} (${s.kind}): ${s.table_count} readable tables${s.healthy ? '' : ', currently UNAVAILABLE'}`,
      );
      return text(lines.join('\n'), {
        sources: sources.map((s) => ({
          name: s.name,
          kind: s.kind,
          healthy: Boolean(s.healthy),
          table_count: s.table_count,
        })),
      });
    }),
  );

  server.registerTool(
    'list_tables',
    {
      title: 'List or search tables',
      description:
        'Lists the tables you can read, as source.schema.table with kind, estimated row count and column count. Optionally narrow by a search text (matched against the full table name, case-insensitive) and/or a source name. Use describe_table next to see columns.',
      inputSchema: {
        search: z.string().optional().describe('Text the table name must contain, e.g. "customer"'),
        source: z.string().optional().describe('Only tables of this source, as list_sources names it'),
        limit: z
          .number()
          .int()
          .min(1)
          .max(MAX_LISTED_TABLES)
          .optional()
          .describe(`Most tables to list (default and max ${MAX_LISTED_TABLES})`),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    run('list_tables', async ({ search, source, limit }) => {
      const { tables, more } = await readableTables(search, source, limit ?? MAX_LISTED_TABLES);
      if (tables.length === 0) return text('No readable tables match.');
      const lines = tables.map(
        (t) =>
          `- ${tableName(t.ref)} (${t.kind || 'table'}, ~${String(t.row_count_estimate ?? 0)} rows, ${
            t.columns?.length ?? 0
          } columns)`,
      );
      if (more) lines.push('(more tables match: narrow with search or source)');
      return text(lines.join('\n'), {
        tables: tables.map((t) => tableName(t.ref)),
        more,
      });
    }),
  );

  server.registerTool(
    'describe_table',
    {
      title: 'Describe a table',
      description:
        'Shows a table’s columns with SQL types, tags (e.g. pii) and your access to each: which columns are masked for you (values come back masked), which are denied (queries naming them are refused), and whether a row filter limits the rows you see. Call before writing SQL against a table.',
      inputSchema: { table: tableSchema },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    run('describe_table', async ({ table }) => {
      const described = await describe(table);
      return text(described.text, described.json);
    }),
  );

  server.registerTool(
    'run_query',
    {
      title: 'Run a SQL query',
      description: `Runs one read-only SELECT (DuckDB SQL dialect) over the catalog, under your policies, and returns a compact text table plus query_id, row_count, truncated and execution_time_ms. Name tables as source.schema.table; one query may only read tables of sources served together. Use $1, $2, … placeholders with params for values. Rows are capped at limit (default ${DEFAULT_QUERY_ROWS}, max ${MAX_QUERY_ROWS}): prefer aggregates, WHERE and LIMIT over fetching raw rows. Refusals come back as errors naming the code, e.g. QUERY_UNAUTHORIZED for a denied column, NOT_FOUND for an unknown table, INVALID_ARGUMENT for bad SQL.`,
      inputSchema: {
        sql: z
          .string()
          .min(1)
          .describe(
            'One SELECT statement, e.g. SELECT region, count(*) FROM lake.main.customers GROUP BY region',
          ),
        params: paramsSchema,
        limit: z
          .number()
          .int()
          .min(1)
          .max(MAX_QUERY_ROWS)
          .optional()
          .describe(`Most rows to return (default ${DEFAULT_QUERY_ROWS}, max ${MAX_QUERY_ROWS})`),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    run('run_query', async ({ sql, params, limit }) => {
      const rowLimit = limit ?? DEFAULT_QUERY_ROWS;
      const execution = await services.query.execute(ctx, {
        sql,
        params: paramsFromJson(params),
        limit: rowLimit,
      });
      const result = await collectResult(execution);
      return text(resultText(result, rowLimit), {
        columns: result.columns,
        rows: JSON.parse(toJson(result.rows)) as unknown[],
        metadata: { ...result.metadata, row_count: result.rows.length },
      });
    }),
  );

  server.registerTool(
    'validate_query',
    {
      title: 'Check a SQL query without running it',
      description:
        'Parses, resolves and authorizes a query without running it: reports whether it is valid for you, the tables and columns it reads, its output columns and types, and the access that applies (masks, filters). On failure gives the error code, message and position. Use it to check SQL before run_query.',
      inputSchema: { sql: z.string().min(1).describe('One SELECT statement'), params: paramsSchema },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    run('validate_query', async ({ sql, params }) => {
      const result = await services.query.validate(ctx, sql, paramsFromJson(params));
      if (!result.valid) {
        const error = result.error ?? {};
        const position = Number(error.position ?? 0);
        return text(
          `invalid: ${error.code}: ${error.message}${position > 0 ? ` (at position ${position})` : ''}`,
          { valid: false, error: { code: error.code, message: error.message, position } },
        );
      }
      const lines = [
        'valid',
        `reads tables: ${(result.tables ?? []).map((t) => `${t.source}.${t.schema}.${t.table}`).join(', ') || '(none)'}`,
        `output columns: ${(result.output_columns ?? []).map((c) => `${c.name} ${c.sql_type}`).join(', ')}`,
      ];
      for (const access of result.access ?? []) {
        const ref = access.table;
        lines.push(`access to ${ref ? `${ref.source}.${ref.schema}.${ref.table}` : '?'}:`);
        lines.push(...accessLines(access).map((l) => `  ${l}`));
      }
      return text(lines.join('\n'), JSON.parse(toJson(result)) as Record<string, unknown>);
    }),
  );

  server.registerTool(
    'explain_access',
    {
      title: 'Explain my access to a table',
      description:
        'Explains what you may read of a table and why: readable or not, each column’s access (allowed, masked, denied), whether a row filter applies, and the ids of the policies (grants, filters, masks, protections, tag rules) that decide it. Use it to understand a QUERY_UNAUTHORIZED refusal.',
      inputSchema: { table: tableSchema },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    run('explain_access', async ({ table }) => {
      const explained = await services.catalog.explainAccess(ctx, table);
      if (!explained.readable) return text(`You cannot read ${table}.`, { readable: false });
      const access = explained.access ?? {};
      const allowed = (access.columns ?? []).filter((c) => c.access === 'allowed').map((c) => c.name);
      const lines = [
        `You can read ${table}.`,
        `allowed columns: ${allowed.join(', ') || '(none)'}`,
        ...accessLines(access),
      ];
      return text(lines.join('\n'), JSON.parse(toJson(explained)) as Record<string, unknown>);
    }),
  );

  server.registerTool(
    'sample_table',
    {
      title: 'Show sample rows of a table',
      description: `Returns the first rows of a table (the columns you may see, masked where policy says so) to learn what its values look like. Default ${DEFAULT_SAMPLE_ROWS} rows, max ${MAX_SAMPLE_ROWS}.`,
      inputSchema: {
        table: tableSchema,
        columns: z
          .array(z.string())
          .optional()
          .describe('Only these columns (default: every column you may see)'),
        limit: z
          .number()
          .int()
          .min(1)
          .max(MAX_SAMPLE_ROWS)
          .optional()
          .describe(`Rows to return (default ${DEFAULT_SAMPLE_ROWS})`),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    run('sample_table', async ({ table, columns, limit }) => {
      const rowLimit = limit ?? DEFAULT_SAMPLE_ROWS;
      const execution = await services.catalog.getRecords(ctx, {
        table,
        columns: columns ?? [],
        limit: rowLimit,
      });
      const result = await collectResult(execution);
      return text(resultText(result, rowLimit), {
        columns: result.columns,
        rows: JSON.parse(toJson(result.rows)) as unknown[],
        metadata: { ...result.metadata, row_count: result.rows.length },
      });
    }),
  );

  // Resources: the catalog as the caller may see it. Errors here are
  // protocol errors (resources have no isError), carrying the same text.
  const resourceError = (error: unknown) => {
    const failure = toTributaryError(error);
    if (failure.code === 'INTERNAL') ctx.logger.error({ err: error }, 'mcp resource failed');
    return new Error(`${failure.code}: ${failure.message} (request ${ctx.requestId})`);
  };

  server.registerResource(
    'catalog-tables',
    'tributary://catalog/tables',
    {
      title: 'Readable tables',
      description: 'Every table you may read, as source.schema.table, with kind and column names',
      mimeType: 'application/json',
    },
    async (uri) => {
      try {
        const { tables, more } = await readableTables();
        const body = {
          tables: tables.map((t) => ({
            name: tableName(t.ref),
            kind: t.kind,
            row_count_estimate: String(t.row_count_estimate ?? 0),
            columns: (t.columns ?? []).map((c) => c.name),
            uri: `tributary://tables/${encodeURIComponent(tableName(t.ref))}`,
          })),
          more,
        };
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: toJson(body, 2) }] };
      } catch (error) {
        throw resourceError(error);
      }
    },
  );

  server.registerResource(
    'table',
    new ResourceTemplate('tributary://tables/{table}', {
      list: async () => {
        try {
          const { tables } = await readableTables();
          return {
            resources: tables.map((t) => ({
              uri: `tributary://tables/${encodeURIComponent(tableName(t.ref))}`,
              name: tableName(t.ref),
              mimeType: 'application/json',
            })),
          };
        } catch (error) {
          throw resourceError(error);
        }
      },
    }),
    {
      title: 'Table description',
      description: 'One table’s columns, types, tags and your access (masked, denied, row filter)',
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      try {
        const raw = variables.table;
        const name = decodeURIComponent(String(Array.isArray(raw) ? raw[0] : raw));
        const described = await describe(name);
        return {
          contents: [{ uri: uri.href, mimeType: 'application/json', text: toJson(described.json, 2) }],
        };
      } catch (error) {
        throw resourceError(error);
      }
    },
  );

  return server;
}
