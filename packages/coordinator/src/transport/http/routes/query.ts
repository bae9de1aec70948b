import type { FastifyInstance } from 'fastify';
import type { CoordinatorServices } from '../../../services/index.js';
import { httpContext } from '../request-context.js';
import { negotiateFormat, writeResult } from '../result-writer.js';
import { optionalInteger, paramsFromJson, requireString } from './params.js';

interface QueryBody {
  sql?: unknown;
  params?: unknown;
  limit?: unknown;
}

/** POST /v1/query and friends: the same QueryService the gRPC server calls. */
export function queryRoutes(app: FastifyInstance, services: CoordinatorServices): void {
  app.post<{ Body: QueryBody }>('/v1/query', async (request, reply) => {
    const body = request.body ?? {};
    const ctx = await httpContext(services, request, reply);
    const execution = await services.query.execute(ctx, {
      sql: requireString(body.sql, 'sql'),
      params: paramsFromJson(body.params),
      limit: optionalInteger(body.limit, 'limit', 0),
    });
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
