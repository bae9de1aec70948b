import { TributaryError } from '@tributary/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isQueryRunStatus, QUERY_RUN_STATUSES } from '../../../runs/index.js';
import type { CoordinatorServices, ResultPage } from '../../../services/index.js';
import { httpContext } from '../request-context.js';
import { negotiateFormat, type ResultFormat, writeStoredRows } from '../result-writer.js';
import { queryRunJson } from '../run-json.js';
import { optionalInteger } from './params.js';

/** Rows per page of a JSON result when the caller names no limit; streaming formats default to every row. */
export const DEFAULT_JSON_RESULT_LIMIT = 10_000;

/**
 * Streams a page of a run's result. The next page's cursor travels in the
 * JSON body (`next_cursor`) and, for every format, in `x-next-cursor` and a
 * `Link: <...>; rel="next"` header, which a streamed body cannot carry at its end.
 */
export async function writeRunResult(
  request: FastifyRequest,
  reply: FastifyReply,
  page: ResultPage,
  format: ResultFormat,
  options: { limit?: number; inline?: boolean } = {},
): Promise<void> {
  const { limit, inline } = options;
  const all: Record<string, string> = { 'x-request-id': request.id, 'x-query-run-id': page.run.id };
  if (page.run.queryId) all['x-query-id'] = page.run.queryId;
  if (page.nextCursor) {
    all['x-next-cursor'] = page.nextCursor;
    const next = new URLSearchParams({ cursor: page.nextCursor, format });
    if (limit !== undefined) next.set('limit', String(limit));
    all.link = `</v1/results/${page.run.id}?${next}>; rel="next"`;
  }
  await writeStoredRows(
    reply.raw,
    {
      schema: page.schema,
      batches: page.batches,
      // Answered inline, a run's result has exactly the synchronous query's shape.
      members: () =>
        inline
          ? { metadata: page.run.metadata ?? {} }
          : { metadata: page.run.metadata ?? {}, next_cursor: page.nextCursor ?? null },
    },
    format,
    all,
  )
    .catch((error) => request.log.warn({ err: (error as Error).message }, 'result stream ended early'))
    .finally(() => page.close());
}

interface RunListQuery {
  status?: string;
  page_size?: string;
  page_token?: string;
}

interface ResultQuery {
  limit?: string;
  cursor?: string;
  format?: string;
}

/** Query runs and their stored results. */
export function queryRunRoutes(app: FastifyInstance, services: CoordinatorServices): void {
  app.get<{ Querystring: RunListQuery }>('/v1/query-runs', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    const { status, page_size, page_token } = request.query;
    if (status !== undefined && !isQueryRunStatus(status)) {
      throw TributaryError.invalid(`status must be one of ${QUERY_RUN_STATUSES.join(', ')}`);
    }
    const page = await services.runs.list(ctx, {
      status,
      pageSize: optionalInteger(page_size, 'page_size', 0),
      pageToken: page_token,
    });
    return { query_runs: page.items.map(queryRunJson), next_page_token: page.nextCursor ?? '' };
  });

  app.get<{ Params: { id: string } }>('/v1/query-runs/:id', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    return queryRunJson(await services.runs.get(ctx, request.params.id));
  });

  app.delete<{ Params: { id: string } }>('/v1/query-runs/:id', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    const cancelled = await services.runs.cancel(ctx, request.params.id);
    if (!cancelled) return reply.code(204).send();
    return queryRunJson(cancelled);
  });

  app.get<{ Params: { id: string }; Querystring: ResultQuery }>('/v1/results/:id', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    const format = negotiateFormat(request.headers.accept, request.query.format);
    const limit =
      request.query.limit !== undefined
        ? optionalInteger(request.query.limit, 'limit', 0)
        : format === 'json'
          ? DEFAULT_JSON_RESULT_LIMIT
          : undefined;
    const page = await services.runs.readResult(ctx, request.params.id, {
      limit,
      cursor: request.query.cursor,
    });
    reply.hijack();
    await writeRunResult(request, reply, page, format, { limit });
  });
}
