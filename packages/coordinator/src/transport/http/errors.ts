import { errorEnvelope, TributaryError as TE, type TributaryError, toTributaryError } from '@tributary/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { refusalFields } from '../../limits/index.js';

/** Maps what Fastify itself rejects (body too large, bad JSON, schema) onto the error model. */
function fromFastify(error: FastifyError): TributaryError | undefined {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new TE('PAYLOAD_TOO_LARGE', 'request body is too large');
  }
  if (error.validation) return TE.invalid(`invalid request: ${error.message}`);
  if (error.code?.startsWith('FST_ERR_CTP_') || (error.statusCode === 400 && error.code)) {
    return TE.invalid(`invalid request body: ${error.message}`);
  }
  return undefined;
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  const failure =
    error instanceof TE ? error : (fromFastify(error as FastifyError) ?? toTributaryError(error));
  if (failure.code === 'INTERNAL') request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: failure.code, message: failure.message }, 'request refused');
  if (reply.sent || reply.raw.headersSent) {
    reply.raw.destroy();
    return;
  }
  const retryAfterMs = Number(failure.details?.retry_after_ms);
  if (Number.isFinite(retryAfterMs) && retryAfterMs > 0) {
    void reply.header('retry-after', String(Math.ceil(retryAfterMs / 1000)));
  }
  for (const [name, value] of Object.entries(refusalFields(failure))) reply.header(name, value);
  void reply.code(failure.httpStatus).send(errorEnvelope(failure, request.id));
}
