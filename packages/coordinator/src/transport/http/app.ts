import {
  acceptRequestId,
  acceptTraceContext,
  type Logger,
  type MetricsConfig,
  type TraceContext,
  TributaryError,
} from '@tributary/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { CoordinatorServices } from '../../services/index.js';
import { sendError } from './errors.js';
import { docsRoutes } from './openapi/index.js';
import { adminRoutes } from './routes/admin.js';
import { agentRoutes } from './routes/agents.js';
import { catalogRoutes } from './routes/catalog.js';
import { type ConsoleOptions, consoleRoutes } from './routes/console.js';
import { observabilityRoutes } from './routes/observability.js';
import { queryRoutes } from './routes/query.js';
import { queryRunRoutes } from './routes/query-runs.js';
import { savedQueryRoutes } from './routes/saved-queries.js';

/** A route as Fastify registered it. */
export interface RegisteredRoute {
  method: string;
  url: string;
}

const registered = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route and method the app serves (HEAD excluded), for checking the API description. */
export function registeredRoutes(app: FastifyInstance): RegisteredRoute[] {
  return [...(registered.get(app) ?? [])];
}

export interface HttpOptions {
  maxBodyBytes: number;
  logger: Logger;
  metrics: MetricsConfig;
  /** Serves the web console at /console when set. */
  console?: ConsoleOptions;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's trace: the caller's `traceparent` when valid, a new trace otherwise. */
    trace: TraceContext;
  }
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
  app.decorateRequest('trace', undefined as unknown as TraceContext);
  const routes: RegisteredRoute[] = [];
  registered.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: route.url });
    }
  });
  app.addHook('onRequest', async (request, reply) => {
    request.trace = acceptTraceContext(request.headers.traceparent);
    // Every line logged for this request, by any layer, carries its trace id.
    request.log = request.log.child({ traceId: request.trace.traceId });
    reply.header('x-request-id', request.id);
    // On the raw response, so streamed (hijacked) results carry it too.
    reply.raw.setHeader('x-trace-id', request.trace.traceId);
    // The raw response's close, not onResponse: streamed results hijack the
    // reply, and Fastify runs no hooks for a hijacked reply.
    const started = performance.now();
    reply.raw.once('close', () => {
      const seconds = (performance.now() - started) / 1_000;
      const route = request.routeOptions.url ?? 'unmatched';
      const status = reply.raw.statusCode;
      services.metrics.httpRequests.inc({ method: request.method, route, status });
      services.metrics.httpDuration.observe({ method: request.method, route }, seconds);
      request.log.info(
        {
          method: request.method,
          url: request.url,
          status,
          ms: Math.round(seconds * 1_000),
          ...(reply.raw.writableFinished ? {} : { aborted: true }),
        },
        'http request',
      );
    });
  });
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      TributaryError.notFound(`no route ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
  observabilityRoutes(app, services, options.metrics);
  queryRoutes(app, services);
  queryRunRoutes(app, services);
  savedQueryRoutes(app, services);
  docsRoutes(app);
  catalogRoutes(app, services);
  adminRoutes(app, services);
  agentRoutes(app, services);
  if (options.console) consoleRoutes(app, options.console);
  return app;
}
