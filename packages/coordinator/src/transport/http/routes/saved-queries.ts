import type { FastifyInstance } from 'fastify';
import type { CoordinatorServices } from '../../../services/index.js';
import { httpContext } from '../request-context.js';
import { negotiateFormat, writeResult } from '../result-writer.js';
import { savedQueryJson, savedQueryLinks, savedQueryVersionJson } from '../saved-query-json.js';
import { body } from './admin-json.js';
import { optionalInteger } from './params.js';
import { answerWithRun, runMode } from './query.js';

interface ListQuery {
  filter?: string;
  page_size?: string;
  page_token?: string;
}

type IdParams = { id: string };

/** Saved queries over HTTP: CRUD with versions, and execution like POST /v1/query. */
export function savedQueryRoutes(app: FastifyInstance, services: CoordinatorServices): void {
  const saved = services.savedQueries;

  app.post('/v1/queries', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    const b = body(request.body, ['name', 'description', 'sql', 'parameters', 'comment']);
    const query = await saved.create(ctx, {
      name: b.name,
      description: b.description,
      sql: b.sql,
      parameters: b.parameters,
      comment: b.comment,
    });
    return reply.code(201).header('location', savedQueryLinks(query.id).self).send(savedQueryJson(query));
  });

  app.get<{ Querystring: ListQuery }>('/v1/queries', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    const page = await saved.list(ctx, {
      filter: request.query.filter,
      pageSize: optionalInteger(request.query.page_size, 'page_size', 0),
      pageToken: request.query.page_token,
    });
    return { queries: page.items.map(savedQueryJson), next_page_token: page.nextCursor ?? '' };
  });

  app.get<{ Params: IdParams }>('/v1/queries/:id', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    return savedQueryJson(await saved.get(ctx, request.params.id));
  });

  app.patch<{ Params: IdParams }>('/v1/queries/:id', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    const b = body(request.body, ['name', 'description', 'sql', 'parameters', 'comment', 'expected_version']);
    const { expected_version, ...change } = b;
    return savedQueryJson(
      await saved.update(ctx, request.params.id, { ...change, expectedVersion: expected_version }),
    );
  });

  app.delete<{ Params: IdParams }>('/v1/queries/:id', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    await saved.delete(ctx, request.params.id);
    return reply.code(204).send();
  });

  app.get<{ Params: IdParams; Querystring: ListQuery }>(
    '/v1/queries/:id/versions',
    async (request, reply) => {
      const ctx = await httpContext(services, request, reply);
      const page = await saved.listVersions(ctx, request.params.id, {
        pageSize: optionalInteger(request.query.page_size, 'page_size', 0),
        pageToken: request.query.page_token,
      });
      return { versions: page.items.map(savedQueryVersionJson), next_page_token: page.nextCursor ?? '' };
    },
  );

  app.get<{ Params: IdParams & { version: string } }>(
    '/v1/queries/:id/versions/:version',
    async (request, reply) => {
      const ctx = await httpContext(services, request, reply);
      return savedQueryVersionJson(await saved.getVersion(ctx, request.params.id, request.params.version));
    },
  );

  app.post<{ Params: IdParams }>('/v1/queries/:id/execute', async (request, reply) => {
    const ctx = await httpContext(services, request, reply);
    const b = body(request.body, ['parameters', 'version', 'limit', 'async', 'async_after_ms']);
    const mode = runMode(b);
    const { request: query, savedQuery } = await saved.prepare(ctx, request.params.id, {
      parameters: b.parameters,
      version: b.version,
      limit: optionalInteger(b.limit, 'limit', 0),
    });
    if (mode) return answerWithRun(services, ctx, request, reply, query, { ...mode, savedQuery });
    const execution = await services.query.execute(ctx, query);
    reply.hijack();
    await writeResult(reply.raw, execution, negotiateFormat(request.headers.accept), {
      'x-request-id': request.id,
      'x-saved-query-version': String(savedQuery.version),
    }).catch((error) => request.log.warn({ err: (error as Error).message }, 'result stream ended early'));
  });
}
