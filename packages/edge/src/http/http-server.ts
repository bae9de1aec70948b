import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Logger,
  type MetricsConfig,
  metricsAccess,
  type ReadinessChecks,
  type Registry,
  splitHostPort,
  TRIBUTARY_VERSION,
} from '@tributary/core';

export interface EdgeHttpOptions {
  listen: string;
  metrics: MetricsConfig;
  registry: Registry;
  readiness: ReadinessChecks;
  startedAt: number;
  logger: Logger;
}

export interface RunningEdgeHttp {
  port: number;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * The edge's operational endpoints: `/metrics`, `/health`, `/health/live`,
 * `/health/ready`. Four fixed GET routes with no request bodies, so plain
 * node:http serves them; a web framework would add nothing but weight.
 */
export async function startEdgeHttp(options: EdgeHttpOptions): Promise<RunningEdgeHttp> {
  const live = () => ({
    status: 'ok',
    version: TRIBUTARY_VERSION,
    uptime_seconds: Math.round((Date.now() - options.startedAt) / 1_000),
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(
        res,
        405,
        { error: { code: 'INVALID_ARGUMENT', message: 'only GET is served' } },
        { allow: 'GET' },
      );
      return;
    }
    switch (path) {
      case '/health':
      case '/health/live':
        sendJson(res, 200, live());
        return;
      case '/health/ready': {
        const { ready, checks } = await options.readiness.evaluate();
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready', checks });
        return;
      }
      case '/metrics': {
        const access = metricsAccess(options.metrics, req.headers.authorization);
        if (access === 'allowed') {
          const text = await options.registry.metrics();
          res.writeHead(200, { 'content-type': options.registry.contentType });
          res.end(text);
        } else if (access === 'unauthorized') {
          sendJson(
            res,
            401,
            { error: { code: 'UNAUTHENTICATED', message: 'metrics need the configured bearer token' } },
            { 'www-authenticate': 'Bearer' },
          );
        } else {
          sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'metrics are disabled' } });
        }
        return;
      }
      default:
        sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${req.method} ${path}` } });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      options.logger.error({ err: error, url: req.url }, 'edge http request failed');
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
      else res.destroy();
    });
  });
  const { host, port } = splitHostPort(options.listen);
  server.listen(port, host);
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
