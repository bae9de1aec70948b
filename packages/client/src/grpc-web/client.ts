import improbable, { type grpc as GrpcTypes } from '@improbable-eng/grpc-web';
import {
  type ContractMethod,
  contractMethod,
  type ExplainAccessResponse,
  errorFromStatus,
  type QueryResultChunk,
  type SourceInfo,
  type SqlValue,
  type Table,
  TributaryError,
  type ValidateQueryResponse,
} from '@tributary/core/web';
import {
  type Credentials,
  credentialHeaders,
  DEFAULT_UNARY_TIMEOUT_MS,
  grpcTimeout,
  type ListTablesOptions,
  newRequestId,
  requests,
} from '../call-options.js';
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
import { classifyWebFailure } from './failure.js';
import { Inbox } from './inbox.js';

const { grpc } = improbable;

export interface GrpcWebClientOptions extends Credentials {
  /** The coordinator's gRPC-Web base URL, e.g. `https://tributary.example.com:8001`. */
  url: string;
  /** Browsers: leave unset (fetch). Node: `grpcWebNodeTransport()` from `@tributary/client`. */
  transport?: GrpcTypes.TransportFactory;
  /** Deadline of unary calls, retries included (ms), sent as `grpc-timeout`. */
  timeoutMs?: number;
  /** Retries of reads that failed for a passing reason (UNAVAILABLE, RATE_LIMITED); `false` turns them off. */
  retry?: RetryOptions | false;
  /** Observes each retry, e.g. to log it. */
  onRetry?: (event: RetryEvent & { method: string }) => void;
}

export interface WebQueryOptions {
  params?: SqlValue[];
  limit?: number;
  /** Deadline for the whole streaming call (ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Sent as `x-request-id` with every attempt; one is generated when absent. */
  requestId?: string;
  /** This call's retry settings over the client's; a query is retried only before its first message. */
  retry?: RetryOptions | false;
}

/** The descriptor shape `@improbable-eng/grpc-web` expects, over the contract's own encoders. */
function invocable(method: ContractMethod): GrpcTypes.MethodDefinition<never, never> {
  return {
    methodName: method.method,
    service: { serviceName: `tributary.v1.${method.service}` },
    requestStream: false,
    responseStream: method.responseStream,
    requestType: {} as never,
    responseType: { deserializeBinary: (bytes: Uint8Array) => method.decodeResponse(bytes) } as never,
  } as GrpcTypes.MethodDefinition<never, never>;
}

/**
 * The coordinator over gRPC-Web, in browsers and in Node: the same calls and
 * the same streaming `QueryResult` as the gRPC client. Messages are encoded
 * from the contract's descriptor generated at build time, so nothing here
 * reads .proto files or needs a gRPC library.
 */
export class GrpcWebClient {
  constructor(private readonly options: GrpcWebClientOptions) {}

  private call(
    service: string,
    name: string,
    request: unknown,
    call: { timeoutMs?: number; requestId?: string },
    inbox: Inbox<unknown>,
  ): () => void {
    const method = contractMethod(service, name);
    const headers: Record<string, string> = {
      ...credentialHeaders(this.options),
      'x-request-id': call.requestId ?? newRequestId(),
    };
    if (call.timeoutMs) headers['grpc-timeout'] = grpcTimeout(call.timeoutMs);
    let answered = false;
    let open = true;
    const request$ = grpc.invoke(invocable(method), {
      host: this.options.url,
      request: { serializeBinary: () => method.encodeRequest(request) } as never,
      metadata: headers,
      transport: this.options.transport,
      onHeaders: () => {
        answered = true;
      },
      onMessage: (message) => inbox.push(message),
      onEnd: (code, message, trailers) => {
        open = false;
        if (code === grpc.Code.OK) return inbox.end();
        const first = (key: string) => trailers.get(key)[0];
        // No response at all (refused connection, CORS, DNS): the transport reports a bare INTERNAL.
        if (!answered && code === grpc.Code.Internal && !first('grpc-status')) {
          return inbox.end(
            new TributaryError('UNAVAILABLE', `cannot reach ${this.options.url}: ${message}`, {
              request_id: headers['x-request-id'],
            }),
          );
        }
        inbox.end(errorFromStatus(code, message, first));
      },
    });
    // Closing twice throws in the transport; a call ends once, by its end or its cancel.
    return () => {
      if (!open) return;
      open = false;
      request$.close();
    };
  }

  /** Every call this client makes only reads, so every call may be retried under the policy. */
  private retryContext(
    method: string,
    retry: RetryOptions | false | undefined,
    signal: AbortSignal,
    deadline: number | undefined,
  ): RetryContext {
    const onRetry = this.options.onRetry;
    return {
      policy: this.options.retry === false ? NO_RETRY : retryPolicy(this.options.retry, retry),
      classify: classifyWebFailure,
      signal,
      deadline,
      onRetry: onRetry && ((event) => onRetry({ ...event, method })),
    };
  }

  private unary<T>(service: string, method: string, request: unknown): Promise<T> {
    const deadline = Date.now() + (this.options.timeoutMs ?? DEFAULT_UNARY_TIMEOUT_MS);
    const requestId = newRequestId();
    const attempt = async () => {
      const inbox = new Inbox<unknown>();
      this.call(
        service,
        method,
        request,
        { timeoutMs: Math.max(1, deadline - Date.now()), requestId },
        inbox,
      );
      let response: unknown;
      for await (const message of inbox) response = message;
      if (response === undefined) throw new TributaryError('INTERNAL', `${method} returned no message`);
      return response as T;
    };
    return retrying(attempt, this.retryContext(method, undefined, new AbortController().signal, deadline));
  }

  private stream(service: string, method: string, request: unknown, options: WebQueryOptions): QueryResult {
    const requestId = options.requestId ?? newRequestId();
    const deadline = options.timeoutMs ? Date.now() + options.timeoutMs : undefined;
    // One controller for the caller's signal and QueryResult's own cancel:
    // either ends the current attempt and any retry still to come.
    const controller = new AbortController();
    let current: { inbox: Inbox<unknown>; cancel(): void } | undefined;
    const open = () => {
      const inbox = new Inbox<unknown>();
      const timeoutMs = deadline === undefined ? undefined : Math.max(1, deadline - Date.now());
      current = { inbox, cancel: this.call(service, method, request, { timeoutMs, requestId }, inbox) };
      return inbox;
    };
    const abort = () => {
      if (controller.signal.aborted) return;
      const reason = new TributaryError('CANCELLED', 'the query was cancelled', { request_id: requestId });
      controller.abort(reason);
      current?.cancel();
      current?.inbox.end(reason);
    };
    if (options.signal?.aborted) abort();
    else options.signal?.addEventListener('abort', abort, { once: true });
    const context = this.retryContext(method, options.retry, controller.signal, deadline);
    const chunks = retryingStream(open, context) as AsyncIterable<QueryResultChunk>;
    return new QueryResult(chunks, abort, { requestId });
  }

  /** Runs SQL; Arrow record batches stream as the coordinator sends them. */
  query(sql: string, options: WebQueryOptions = {}): QueryResult {
    return this.stream('QueryService', 'ExecuteQuery', requests.executeQuery(sql, options), options);
  }

  validate(sql: string, params: SqlValue[] = []): Promise<ValidateQueryResponse> {
    return this.unary('QueryService', 'ValidateQuery', requests.validateQuery(sql, params));
  }

  async listSources(): Promise<SourceInfo[]> {
    const response = await this.unary<{ sources: SourceInfo[] }>('CatalogService', 'ListSources', {});
    return response.sources;
  }

  listTables(options: ListTablesOptions = {}): Promise<{ tables: Table[]; next_page_token: string }> {
    return this.unary('CatalogService', 'ListTables', requests.listTables(options));
  }

  getTable(table: string): Promise<Table> {
    return this.unary('CatalogService', 'GetTable', { table });
  }

  /** What the caller may see of a table: readable, masked and denied columns, row filters. */
  explainAccess(table: string): Promise<ExplainAccessResponse> {
    return this.unary('CatalogService', 'ExplainAccess', { table });
  }

  /** A preview of a table's rows. */
  getRecords(
    table: string,
    options: { columns?: string[]; limit?: number; signal?: AbortSignal } = {},
  ): QueryResult {
    return this.stream('CatalogService', 'GetRecords', requests.getRecords(table, options), options);
  }
}
