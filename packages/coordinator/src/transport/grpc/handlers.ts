import {
  type handleServerStreamingCall,
  type handleUnaryCall,
  Metadata,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
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
import type { CoordinatorServices, QueryExecution } from '../../services/index.js';
import { contextFor, requestIdOf } from './call-context.js';

function logFailure(
  services: CoordinatorServices,
  error: unknown,
  requestId: string,
  method: string,
): TributaryError {
  const failure = toTributaryError(error);
  if (failure.code === 'INTERNAL') services.logger.error({ err: error, requestId, method }, 'call failed');
  else
    services.logger.info({ requestId, method, code: failure.code, message: failure.message }, 'call refused');
  return failure;
}

/** An authenticated unary call: context, handler, and the error model on failure. */
export function unary<Req, Res>(
  services: CoordinatorServices,
  method: string,
  handler: (ctx: RequestContext, request: Req) => Promise<Res> | Res,
): handleUnaryCall<Req, Res> {
  return async (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const requestId = requestIdOf(call.metadata);
    try {
      const ctx = await contextFor(services, call as ServerUnaryCall<unknown, unknown>, requestId, method);
      const response = await handler(ctx, call.request);
      const trailer = new Metadata();
      trailer.set(REQUEST_ID_KEY, requestId);
      callback(null, response, trailer);
    } catch (error) {
      const failure = logFailure(services, error, requestId, method);
      callback(toGrpcError(failure, requestId) as Parameters<sendUnaryData<Res>>[0]);
    }
  };
}

/** An authenticated streaming query call: the result streams with backpressure. */
export function resultStream<Req>(
  services: CoordinatorServices,
  method: string,
  start: (ctx: RequestContext, request: Req) => Promise<QueryExecution>,
): handleServerStreamingCall<Req, QueryResultChunk__Input> {
  return async (call: ServerWritableStream<Req, QueryResultChunk__Input>) => {
    const requestId = requestIdOf(call.metadata);
    const header = new Metadata();
    header.set(REQUEST_ID_KEY, requestId);
    const fail = (error: unknown) => ({ error: logFailure(services, error, requestId, method), requestId });
    let execution: QueryExecution;
    try {
      const ctx = await contextFor(
        services,
        call as ServerWritableStream<unknown, unknown>,
        requestId,
        method,
      );
      execution = await start(ctx, call.request);
    } catch (error) {
      if (!call.cancelled) call.emit('error', toGrpcError(fail(error).error, requestId));
      return;
    }
    header.set('x-query-id', execution.queryId);
    call.sendMetadata(header);
    await pipeToServerStream(call, execution.chunks, fail);
  };
}
