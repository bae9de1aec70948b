import type { Metadata, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { acceptRequestId, callSignal, type Logger } from '@tributary/core';
import type { Credentials } from '../../auth/index.js';
import type { RequestContext } from '../../context.js';
import type { CoordinatorServices } from '../../services/index.js';

function header(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

export function credentialsOf(metadata: Metadata): Credentials {
  return { authorization: header(metadata, 'authorization'), apiKey: header(metadata, 'x-api-key') };
}

export function requestIdOf(metadata: Metadata): string {
  return acceptRequestId(header(metadata, 'x-request-id'));
}

type AnyCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

/** Authenticates a gRPC call and builds its request context. */
export async function contextFor(
  services: CoordinatorServices,
  call: AnyCall,
  requestId: string,
  method: string,
  protocol: RequestContext['protocol'] = 'grpc',
): Promise<RequestContext> {
  const principal = await services.authenticator.authenticate(credentialsOf(call.metadata));
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : Number(deadline);
  const logger: Logger = services.logger.child({ requestId, method, protocol, subject: principal.subject });
  return {
    requestId,
    principal,
    protocol,
    signal: callSignal(call).signal,
    deadline: Number.isFinite(deadlineMs) ? deadlineMs : undefined,
    logger,
  };
}
