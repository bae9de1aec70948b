import type { Metadata, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import {
  acceptRequestId,
  acceptTraceContext,
  callSignal,
  type Logger,
  TRACEPARENT_KEY,
  type TraceContext,
} from '@tributary/core';
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

/** What identifies a call in logs before it is authenticated: its request id and trace. */
export interface CallIdentity {
  requestId: string;
  trace: TraceContext;
  /** `Service/Method`, e.g. `QueryService/ExecuteQuery`: a bounded label for metrics. */
  rpc: string;
}

export function identifyCall(call: { metadata: Metadata; getPath(): string }): CallIdentity {
  return {
    requestId: acceptRequestId(header(call.metadata, 'x-request-id')),
    trace: acceptTraceContext(header(call.metadata, TRACEPARENT_KEY)),
    rpc: rpcName(call.getPath()),
  };
}

/** `/tributary.v1.QueryService/ExecuteQuery` → `QueryService/ExecuteQuery`. */
export function rpcName(path: string): string {
  return path.replace(/^\/(?:\w+\.)*/, '');
}

/** The name of a gRPC status code (`OK`, `PERMISSION_DENIED`, …) for metric labels. */
export function statusName(code: status): string {
  return status[code] ?? 'UNKNOWN';
}

type AnyCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

/** Authenticates a gRPC call and builds its request context. */
export async function contextFor(
  services: CoordinatorServices,
  call: AnyCall,
  identity: CallIdentity,
  method: string,
  protocol: RequestContext['protocol'] = 'grpc',
): Promise<RequestContext> {
  const { requestId, trace } = identity;
  const { principal, rateLimit } = await services.admission.admit(credentialsOf(call.metadata));
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : Number(deadline);
  const logger: Logger = services.logger.child({
    requestId,
    traceId: trace.traceId,
    method,
    protocol,
    subject: principal.subject,
  });
  return {
    requestId,
    trace,
    principal,
    protocol,
    signal: callSignal(call).signal,
    deadline: Number.isFinite(deadlineMs) ? deadlineMs : undefined,
    logger,
    rateLimit,
  };
}
