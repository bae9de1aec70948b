import { type MetricsConfig, metricsAccess, TRIBUTARY_VERSION, TributaryError } from '@tributary/core';
import type { FastifyInstance } from 'fastify';
import type { CoordinatorServices } from '../../../services/index.js';
import { sendError } from '../errors.js';

/**
 * Public probes and metrics. Liveness depends on nothing but the process;
 * readiness runs every registered check; metrics are the process registry in
 * Prometheus text format, optionally behind a bearer token.
 */
export function observabilityRoutes(
  app: FastifyInstance,
  services: CoordinatorServices,
  metrics: MetricsConfig,
): void {
  const live = async () => ({
    status: 'ok',
    version: TRIBUTARY_VERSION,
    uptime_seconds: Math.round((Date.now() - services.health.startedAt) / 1_000),
  });
  app.get('/health', live);
  app.get('/health/live', live);
  app.get('/health/ready', async (_request, reply) => {
    const { ready, degraded, checks } = await services.health.readiness.evaluate();
    const status = !ready ? 'not_ready' : degraded ? 'degraded' : 'ready';
    return reply.code(ready ? 200 : 503).send({ status, checks });
  });
  if (!metrics.enabled) return;
  app.get('/metrics', async (request, reply) => {
    if (metricsAccess(metrics, request.headers.authorization) !== 'allowed') {
      void reply.header('www-authenticate', 'Bearer');
      return sendError(
        request,
        reply,
        TributaryError.unauthenticated('metrics need the configured bearer token'),
      );
    }
    const { registry } = services.metrics;
    return reply.header('content-type', registry.contentType).send(await registry.metrics());
  });
}
