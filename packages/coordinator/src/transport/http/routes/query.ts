import { type ErrorCode, isErrorCode, TributaryError } from '@tributary/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../../context.js';
import type { QueryRunRecord } from '../../../runs/index.js';
import type { CoordinatorServices, QueryRequest, SubmitOptions } from '../../../services/index.js';
import { httpContext } from '../request-context.js';
import { negotiateFormat, writeResult } from '../result-writer.js';
import { acceptedRunJson, runLinks } from '../run-json.js';
import { optionalInteger, paramsFromJson, requireString } from './params.js';
import { writeRunResult } from './query-runs.js';

interface QueryBody {
  sql?: unknown;
  params?: unknown;
  limit?: unknown;
  async?: unknown;
  async_after_ms?: unknown;
}

/** How a query is to be answered: streamed now, or as a run (`waitMs` 0 answers 202 at once). */
export function runMode(body: { async?: unknown; async_after_ms?: unknown }): { waitMs: number } | undefined {
  if (body.async !== undefined && body.async !== null && typeof body.async !== 'boolean') {
    throw TributaryError.invalid('async must be true or false');
  }
  if (body.async_after_ms !== undefined && body.async_after_ms !== null) {
    if (body.async === false)
      throw TributaryError.invalid('async_after_ms cannot be combined with async: false');
    const waitMs = optionalInteger(body.async_after_ms, 'async_after_ms', 0);
    if (waitMs > 300_000) throw TributaryError.invalid('async_after_ms must be at most 300000');
    return { waitMs };
  }
  return body.async === true ? { waitMs: 0 } : undefined;
}

/**
 * Answers a query through a run: 202 with the run when it is still going
 * after `waitMs`, otherwise its whole result (or its error) exactly as a
 * synchronous query would have answered.
 */
export async function answerWithRun(
  services: CoordinatorServices,
  ctx: RequestContext,
  request: FastifyRequest,
  reply: FastifyReply,
  query: QueryRequest,
  options: SubmitOptions & { waitMs: number },
): Promise<unknown> {
  const run = await services.runs.submit(ctx, query, options);
  if (options.waitMs > 0 && run.status !== 'queued' && run.status !== 'running') {
    return answerFinished(services, ctx, request, reply, run);
  }
  return reply
    .code(202)
    .header('location', runLinks(run.id).self)
    .header('x-query-run-id', run.id)
    .send(acceptedRunJson(run));
}

async function answerFinished(
  services: CoordinatorServices,
  ctx: RequestContext,
  request: FastifyRequest,
  reply: FastifyReply,
  run: QueryRunRecord,
): Promise<void> {
  reply.header('x-query-run-id', run.id);
  if (run.status !== 'succeeded') {
    const code: ErrorCode = run.error && isErrorCode(run.error.code) ? run.error.code : 'INTERNAL';
    throw new TributaryError(code, run.error?.message ?? `query run ${run.status}`, run.error?.details);
  }
  const format = negotiateFormat(request.headers.accept);
  const page = await services.runs.readResult(ctx, run.id, {});
  reply.hijack();
  await writeRunResult(request, reply, page, format, { inline: true });
}

/** POST /v1/query and friends: the same QueryService the gRPC server calls. */
export function queryRoutes(app: FastifyInstance, services: CoordinatorServices): void {
  app.post<{ Body: QueryBody }>('/v1/query', async (request, reply) => {
    const body = request.body ?? {};
    const ctx = await httpContext(services, request, reply);
    const mode = runMode(body);
    const query: QueryRequest = {
      sql: requireString(body.sql, 'sql'),
      params: paramsFromJson(body.params),
      limit: optionalInteger(body.limit, 'limit', 0),
    };
    if (mode) return answerWithRun(services, ctx, request, reply, query, mode);
    const execution = await services.query.execute(ctx, query);
    reply.hijack();
    await writeResult(reply.raw, execution, negotiateFormat(request.headers.accept), {
      'x-request-id': request.id,
    }).catch((error) => request.log.warn({ err: (error as Error).message }, 'result stream ended early'));
  });

  app.post<{ Body: QueryBody }>('/v1/query/validate', async (request, reply) => {
    const body = request.body ?? {};
    const ctx = await httpContext(services, request, reply);
    return services.query.validate(ctx, requireString(body.sql, 'sql'), paramsFromJson(body.params));
  });

  app.post<{ Body: Record<string, unknown> }>('/v1/query/build', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    const body = request.body ?? {};
    const built = await services.query.build(ctx, {
      table: requireString(body.table, 'table'),
      columns: Array.isArray(body.columns) ? body.columns.map(String) : [],
      filters: Array.isArray(body.filters) ? (body.filters as never[]) : [],
      order_by: Array.isArray(body.order_by) ? (body.order_by as never[]) : [],
      limit: String(optionalInteger(body.limit, 'limit', 0)),
      offset: String(optionalInteger(body.offset, 'offset', 0)),
    });
    return built;
  });
}
