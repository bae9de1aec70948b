import type { FastifyInstance } from 'fastify';
import { type CoordinatorServices, pageOf } from '../../../services/index.js';
import { httpContext } from '../request-context.js';
import { negotiateFormat, writeResult } from '../result-writer.js';
import { optionalInteger } from './params.js';

interface TablesQuery {
  source?: string;
  schema?: string;
  filter?: string;
  page_size?: string;
  page_token?: string;
}

/** The catalog over HTTP, mirroring CatalogService. */
export function catalogRoutes(app: FastifyInstance, services: CoordinatorServices): void {
  app.get<{ Querystring: TablesQuery }>('/v1/catalog/sources', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    const page = pageOf(await services.catalog.listSources(ctx), (s) => s.name ?? '', 'sources', {
      pageSize: optionalInteger(request.query.page_size, 'page_size', 0),
      pageToken: request.query.page_token,
    });
    return { sources: page.items, next_page_token: page.nextPageToken };
  });

  app.get<{ Querystring: TablesQuery }>('/v1/catalog/tables', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    const q = request.query;
    return services.catalog.listTables(ctx, {
      source: q.source ?? '',
      schema: q.schema ?? '',
      filter: q.filter ?? '',
      page_size: optionalInteger(q.page_size, 'page_size', 0),
      page_token: q.page_token ?? '',
    });
  });

  app.get<{ Params: { table: string } }>('/v1/catalog/tables/:table', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    return services.catalog.getTable(ctx, request.params.table);
  });

  app.get<{ Params: { table: string } }>('/v1/catalog/tables/:table/access', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    return services.catalog.explainAccess(ctx, request.params.table);
  });

  app.get<{ Params: { table: string }; Querystring: { limit?: string; columns?: string } }>(
    '/v1/catalog/tables/:table/records',
    async (request, reply) => {
      const ctx = await httpContext(services, request, reply);
      const execution = await services.catalog.getRecords(ctx, {
        table: request.params.table,
        columns: request.query.columns ? request.query.columns.split(',').map((c) => c.trim()) : [],
        limit: optionalInteger(request.query.limit, 'limit', 0),
      });
      reply.hijack();
      await writeResult(reply.raw, execution, negotiateFormat(request.headers.accept), {
        'x-request-id': request.id,
      }).catch((error) => request.log.warn({ err: (error as Error).message }, 'result stream ended early'));
    },
  );
}
