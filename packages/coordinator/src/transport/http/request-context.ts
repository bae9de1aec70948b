import type { Logger } from '@tributary/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../context.js';
import { rateLimitFields } from '../../limits/index.js';
import type { CoordinatorServices } from '../../services/index.js';

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Authenticates an HTTP request and builds its context. The signal fires
 * when the client disconnects before the response is complete, which
 * cancels the query at the edge.
 */
export async function httpContext(
  services: CoordinatorServices,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<RequestContext> {
  const { principal, rateLimit } = await services.admission.admit({
    authorization: single(request.headers.authorization),
    apiKey: single(request.headers['x-api-key']),
  });
  // On the raw response, so results streamed after reply.hijack() carry them too.
  for (const [name, value] of Object.entries(rateLimitFields(rateLimit))) reply.raw.setHeader(name, value);
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return {
    requestId: request.id,
    trace: request.trace,
    principal,
    protocol: 'http',
    signal: controller.signal,
    // Fastify's request logger is the pino instance the app was given.
    logger: request.log.child({ subject: principal.subject }) as unknown as Logger,
    rateLimit,
  };
}
