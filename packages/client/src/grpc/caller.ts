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
  /** Aborted when the client closes: pending calls and retries end. */
  closed?: AbortSignal;
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
  const stop = () => ('cancel' in target ? target.cancel() : target.abort(signal?.reason));
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

  /** A signal for one call: aborted by the caller's signal or by closing the client. */
  private callSignal(signal: AbortSignal | undefined): { controller: AbortController; release(): void } {
    const controller = new AbortController();
    const stops = [cancelOnAbort(signal, controller), cancelOnAbort(this.settings.closed, controller)];
    return {
      controller,
      release: () => {
        for (const stop of stops) stop();
      },
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
    const requestId = options.requestId ?? newRequestId();
    const { controller, release } = this.callSignal(options.signal);
    const attempt = () =>
      new Promise<Res>((resolve, reject) => {
        let stopListening: () => void = () => undefined;
        const finish = (error: unknown, response?: unknown) => {
          stopListening();
          if (error) reject(fromGrpcError(error));
          else resolve(response as Res);
        };
        try {
          const call = invoke.call(this.stub, request, this.metadata(requestId), { deadline }, finish);
          stopListening = cancelOnAbort(controller.signal, call);
        } catch (error) {
          finish(error);
        }
      });
    try {
      const context = this.retryContext(method, idempotency, options, controller.signal, deadline);
      return retrying(attempt, context).finally(release);
    } catch (error) {
      release();
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
    const requestId = options.requestId ?? newRequestId();
    // One controller for the caller's signal, closing the client and
    // QueryResult's own cancel: each ends the current attempt and any retry
    // still to come.
    const { controller, release } = this.callSignal(options.signal);
    const cancel = () => controller.abort();
    const open = () => {
      let call: ClientReadableStream<QueryResultChunk>;
      try {
        call = invoke.call(this.stub, request, this.metadata(requestId), deadline ? { deadline } : {});
      } catch (error) {
        throw fromGrpcError(error);
      }
      const stopCall = cancelOnAbort(controller.signal, call);
      call.on('status', stopCall);
      return readClientStream(call);
    };
    const context = () => this.retryContext(method, idempotency, options, controller.signal, deadline);
    async function* chunks(): AsyncGenerator<QueryResultChunk> {
      try {
        yield* retryingStream(open, context());
      } finally {
        release();
      }
    }
    return new QueryResult(chunks(), cancel, { requestId });
  }

  /**
   * A server stream of messages that is never retried (the call starts
   * something, like an agent run). Leaving the loop early, or the signal,
   * cancels the call.
   */
  async *messageStream<Msg>(
    method: keyof Stub & string,
    request: unknown,
    options: CallOptions = {},
  ): AsyncGenerator<Msg> {
    const invoke = this.stub[method] as unknown as (
      request: unknown,
      metadata: Metadata,
      options: { deadline?: number },
    ) => ClientReadableStream<Msg>;
    const deadline = options.timeoutMs ? Date.now() + options.timeoutMs : undefined;
    const call = invoke.call(
      this.stub,
      request,
      this.metadata(options.requestId ?? newRequestId()),
      deadline ? { deadline } : {},
    );
    const stopListening = cancelOnAbort(options.signal, call);
    try {
      yield* readClientStream<Msg>(call);
    } finally {
      stopListening();
    }
  }
}
