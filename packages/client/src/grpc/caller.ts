import { type ClientReadableStream, type ClientUnaryCall, Metadata, type ServiceError } from '@grpc/grpc-js';
import { fromGrpcError, type QueryResultChunk, REQUEST_ID_KEY, readClientStream } from '@tributary/core';
import { type Credentials, credentialHeaders, newRequestId } from '../call-options.js';
import { QueryResult } from '../result.js';
import {
  NO_RETRY,
  type RetryContext,
  type RetryEvent,
  type RetryOptions,
  retrying,
  retryingStream,
  retryPolicy,
} from '../retry/index.js';
import { classifyGrpcFailure } from './failure.js';

/** Options every call takes. */
export interface CallOptions {
  /** Cancels the call; retries stop at once. */
  signal?: AbortSignal;
  /** Deadline for the whole call, every retry included (ms). */
  timeoutMs?: number;
  /** This call's retry settings over the client's; `false` turns retries off. Only reads ever retry. */
  retry?: RetryOptions | false;
  /** Sent as `x-request-id` with every attempt; one is generated when absent. */
  requestId?: string;
}

export interface CallerSettings extends Credentials {
  /** Default deadline of unary calls (ms). */
  timeoutMs: number;
  retry?: RetryOptions | false;
  onRetry?: (event: RetryEvent & { method: string }) => void;
}

/**
 * Whether a call may be repeated: it only reads, so running it twice has no
 * effect beyond the first. Anything that changes state is never retried.
 */
export type Idempotency = 'read' | 'write';

type UnaryMethod = (
  request: unknown,
  metadata: Metadata,
  options: { deadline?: number },
  callback: (error: ServiceError | null, response?: unknown) => void,
) => ClientUnaryCall;

type StreamMethod = (
  request: unknown,
  metadata: Metadata,
  options: { deadline?: number },
) => ClientReadableStream<QueryResultChunk>;

/** Cancels `target` when `signal` aborts; returns the way to stop listening once the call is over. */
function cancelOnAbort(
  signal: AbortSignal | undefined,
  target: { cancel(): void } | AbortController,
): () => void {
  const stop = () => ('cancel' in target ? target.cancel() : target.abort());
  if (!signal) return () => undefined;
  if (signal.aborted) {
    stop();
    return () => undefined;
  }
  signal.addEventListener('abort', stop, { once: true });
  return () => signal.removeEventListener('abort', stop);
}

/** Invokes methods of one grpc-js service stub with credentials, deadlines, cancellation and retries. */
export class GrpcCaller<Stub extends object> {
  constructor(
    private readonly stub: Stub,
    private readonly settings: CallerSettings,
  ) {}

  private metadata(requestId: string): Metadata {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(credentialHeaders(this.settings))) metadata.set(key, value);
    metadata.set(REQUEST_ID_KEY, requestId);
    return metadata;
  }

  private retryContext(
    method: string,
    idempotency: Idempotency,
    options: CallOptions,
    signal: AbortSignal | undefined,
    deadline: number | undefined,
  ): RetryContext {
    const onRetry = this.settings.onRetry;
    return {
      policy: idempotency === 'read' ? retryPolicy(this.settings.retry, options.retry) : NO_RETRY,
      classify: classifyGrpcFailure,
      signal,
      deadline,
      onRetry: onRetry && ((event) => onRetry({ ...event, method })),
    };
  }

  unary<Res>(
    method: keyof Stub & string,
    request: unknown,
    idempotency: Idempotency,
    options: CallOptions = {},
  ): Promise<Res> {
    const invoke = this.stub[method] as unknown as UnaryMethod;
    const deadline = Date.now() + (options.timeoutMs ?? this.settings.timeoutMs);
    const { signal } = options;
    const requestId = options.requestId ?? newRequestId();
    const attempt = () =>
      new Promise<Res>((resolve, reject) => {
        let stopListening: () => void = () => undefined;
        const call = invoke.call(
          this.stub,
          request,
          this.metadata(requestId),
          { deadline },
          (error, response) => {
            stopListening();
            if (error) reject(fromGrpcError(error));
            else resolve(response as Res);
          },
        );
        stopListening = cancelOnAbort(signal, call);
      });
    try {
      return retrying(attempt, this.retryContext(method, idempotency, options, signal, deadline));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A server stream of result chunks: retried only while it has not delivered its first message. */
  resultStream(
    method: keyof Stub & string,
    request: unknown,
    idempotency: Idempotency,
    options: CallOptions = {},
  ): QueryResult {
    const invoke = this.stub[method] as unknown as StreamMethod;
    const deadline = options.timeoutMs ? Date.now() + options.timeoutMs : undefined;
    // One controller for the caller's signal and QueryResult's own cancel, so
    // either ends the current attempt and any retry still to come.
    const requestId = options.requestId ?? newRequestId();
    const controller = new AbortController();
    const cancel = () => controller.abort();
    const stopListening = cancelOnAbort(options.signal, controller);
    const open = () => {
      const call = invoke.call(this.stub, request, this.metadata(requestId), deadline ? { deadline } : {});
      const stopCall = cancelOnAbort(controller.signal, call);
      call.on('status', stopCall);
      return readClientStream(call);
    };
    const context = () => this.retryContext(method, idempotency, options, controller.signal, deadline);
    async function* chunks(): AsyncGenerator<QueryResultChunk> {
      try {
        yield* retryingStream(open, context());
      } finally {
        stopListening();
      }
    }
    return new QueryResult(chunks(), cancel, { requestId });
  }
}
