import { acceptRequestId, type Logger, TributaryError } from '@tributary/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { CoordinatorServices } from '../../services/index.js';
import { sendError } from './errors.js';
import { adminRoutes } from './routes/admin.js';
import { catalogRoutes } from './routes/catalog.js';
import { healthRoutes } from './routes/health.js';
import { queryRoutes } from './routes/query.js';
import { queryRunRoutes } from './routes/query-runs.js';
import { savedQueryRoutes } from './routes/saved-queries.js';

export interface HttpOptions {
  maxBodyBytes: number;
  logger: Logger;
}

/** The HTTP/JSON gateway: decoding, authentication and encoding only; every route calls a shared service. */
export function createHttpApp(services: CoordinatorServices, options: HttpOptions): FastifyInstance {
  const app = Fastify({
    // pino's Logger and Fastify's logger type differ only in optional members.
    loggerInstance: options.logger as unknown as FastifyBaseLogger,
    bodyLimit: options.maxBodyBytes,
    genReqId: (request) => acceptRequestId(request.headers['x-request-id']),
    // One access-log line per request is written by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    return503OnClosing: true,
    // Streaming responses are hijacked; on shutdown their sockets must be closed too.
    forceCloseConnections: true,
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'http request',
    );
  });
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      TributaryError.notFound(`no route ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
  healthRoutes(app, services);
  queryRoutes(app, services);
  queryRunRoutes(app, services);
  savedQueryRoutes(app, services);
  catalogRoutes(app, services);
  adminRoutes(app, services);
  return app;
}
