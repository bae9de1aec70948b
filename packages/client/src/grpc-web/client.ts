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
import { Inbox } from './inbox.js';

const { grpc } = improbable;

export interface GrpcWebClientOptions extends Credentials {
  /** The coordinator's gRPC-Web base URL, e.g. `https://tributary.example.com:8001`. */
  url: string;
  /** Browsers: leave unset (fetch). Node: `grpcWebNodeTransport()` from `@tributary/client`. */
  transport?: GrpcTypes.TransportFactory;
  /** Per-call deadline for unary calls (ms), sent as `grpc-timeout`. */
  timeoutMs?: number;
}

export interface WebQueryOptions {
  params?: SqlValue[];
  limit?: number;
  /** Deadline for the whole streaming call (ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Sent as `x-request-id`; one is generated when absent. */
  requestId?: string;
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

  private async unary<T>(service: string, method: string, request: unknown): Promise<T> {
    const inbox = new Inbox<unknown>();
    this.call(
      service,
      method,
      request,
      { timeoutMs: this.options.timeoutMs ?? DEFAULT_UNARY_TIMEOUT_MS },
      inbox,
    );
    let response: unknown;
    for await (const message of inbox) response = message;
    if (response === undefined) throw new TributaryError('INTERNAL', `${method} returned no message`);
    return response as T;
  }

  private stream(service: string, method: string, request: unknown, options: WebQueryOptions): QueryResult {
    const requestId = options.requestId ?? newRequestId();
    const inbox = new Inbox<unknown>();
    if (options.signal?.aborted) {
      inbox.end(new TributaryError('CANCELLED', 'the query was cancelled before it started'));
      return new QueryResult(inbox as AsyncIterable<QueryResultChunk>, () => undefined, { requestId });
    }
    const cancel = this.call(service, method, request, { timeoutMs: options.timeoutMs, requestId }, inbox);
    const abort = () => {
      cancel();
      inbox.end(new TributaryError('CANCELLED', 'the query was cancelled', { request_id: requestId }));
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    return new QueryResult(inbox as AsyncIterable<QueryResultChunk>, abort, { requestId });
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
