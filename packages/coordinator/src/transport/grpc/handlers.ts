import {
  type handleServerStreamingCall,
  type handleUnaryCall,
  Metadata,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import {
  pipeToServerStream,
  type QueryResultChunk__Input,
  REQUEST_ID_KEY,
  type TributaryError,
  toGrpcError,
  toTributaryError,
} from '@tributary/core';
import type { RequestContext } from '../../context.js';
import { rateLimitFields, refusalFields } from '../../limits/index.js';
import type { CoordinatorServices, QueryExecution } from '../../services/index.js';
import { type CallIdentity, contextFor, identifyCall, statusName } from './call-context.js';

function logFailure(
  services: CoordinatorServices,
  error: unknown,
  identity: CallIdentity,
  method: string,
): TributaryError {
  const failure = toTributaryError(error);
  const fields = { requestId: identity.requestId, traceId: identity.trace.traceId, method };
  if (failure.code === 'INTERNAL') services.logger.error({ ...fields, err: error }, 'call failed');
  else services.logger.info({ ...fields, code: failure.code, message: failure.message }, 'call refused');
  return failure;
}

function countCall(services: CoordinatorServices, identity: CallIdentity, code: status): void {
  services.metrics.grpcCalls.inc({ method: identity.rpc, code: statusName(code) });
}

function setFields(metadata: Metadata, fields: Record<string, string>): void {
  for (const [name, value] of Object.entries(fields)) metadata.set(name, value);
}

/** The error model's status, with a rate limit refusal's limit, remaining and retry-after in the trailers. */
function grpcError(failure: TributaryError, requestId: string) {
  const error = toGrpcError(failure, requestId);
  setFields(error.metadata, refusalFields(failure));
  return error;
}

/** An authenticated unary call: context, handler, and the error model on failure. */
export function unary<Req, Res>(
  services: CoordinatorServices,
  method: string,
  handler: (ctx: RequestContext, request: Req) => Promise<Res> | Res,
): handleUnaryCall<Req, Res> {
  return async (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const identity = identifyCall(call);
    try {
      const ctx = await contextFor(services, call as ServerUnaryCall<unknown, unknown>, identity, method);
      const response = await handler(ctx, call.request);
      const trailer = new Metadata();
      trailer.set(REQUEST_ID_KEY, identity.requestId);
      setFields(trailer, rateLimitFields(ctx.rateLimit));
      countCall(services, identity, status.OK);
      callback(null, response, trailer);
    } catch (error) {
      const failure = logFailure(services, error, identity, method);
      countCall(services, identity, failure.grpcStatus);
      callback(grpcError(failure, identity.requestId) as Parameters<sendUnaryData<Res>>[0]);
    }
  };
}

/** An authenticated streaming query call: the result streams with backpressure. */
export function resultStream<Req>(
  services: CoordinatorServices,
  method: string,
  start: (ctx: RequestContext, request: Req) => Promise<QueryExecution>,
): handleServerStreamingCall<Req, QueryResultChunk__Input> {
  return messageStream(services, method, async (ctx, request: Req) => {
    const execution = await start(ctx, request);
    return { headers: { 'x-query-id': execution.queryId }, messages: execution.chunks };
  });
}

/**
 * An authenticated server-streaming call: `start` refuses (the call ends
 * with its error, before any header) or returns the headers and the
 * messages, which stream with backpressure.
 */
export function messageStream<Req, Msg>(
  services: CoordinatorServices,
  method: string,
  start: (
    ctx: RequestContext,
    request: Req,
  ) => Promise<{ headers: Record<string, string>; messages: AsyncIterable<Msg> }>,
): handleServerStreamingCall<Req, Msg> {
  return async (call: ServerWritableStream<Req, Msg>) => {
    const identity = identifyCall(call);
    const { requestId } = identity;
    const header = new Metadata();
    header.set(REQUEST_ID_KEY, requestId);
    let failedWith: status | undefined;
    const fail = (error: unknown) => {
      const failure = logFailure(services, error, identity, method);
      failedWith = failure.grpcStatus;
      return { error: failure, requestId };
    };
    let started: { headers: Record<string, string>; messages: AsyncIterable<Msg> };
    let ctx: RequestContext;
    try {
      ctx = await contextFor(services, call as ServerWritableStream<unknown, unknown>, identity, method);
      started = await start(ctx, call.request);
    } catch (error) {
      const { error: failure } = fail(error);
      countCall(services, identity, call.cancelled ? status.CANCELLED : failure.grpcStatus);
      if (!call.cancelled) call.emit('error', grpcError(failure, requestId));
      return;
    }
    for (const [key, value] of Object.entries(started.headers)) header.set(key, value);
    setFields(header, rateLimitFields(ctx.rateLimit));
    call.sendMetadata(header);
    const outcome = await pipeToServerStream(call, started.messages, fail);
    countCall(
      services,
      identity,
      outcome === 'completed'
        ? status.OK
        : outcome === 'cancelled'
          ? status.CANCELLED
          : (failedWith ?? status.UNKNOWN),
    );
  };
}
