import { TRIBUTARY_VERSION } from '@tributary/core';
import type { FastifyInstance } from 'fastify';
import type { CoordinatorServices } from '../../../services/index.js';

/** Public probes: liveness never depends on anything else; readiness checks edges and dependencies. */
export function healthRoutes(app: FastifyInstance, services: CoordinatorServices): void {
  app.get('/health', async () => ({ status: 'ok', version: TRIBUTARY_VERSION }));
  app.get('/health/live', async () => ({ status: 'ok', version: TRIBUTARY_VERSION }));
  app.get('/health/ready', async (_request, reply) => {
    const { ready, checks } = services.readiness();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
}
