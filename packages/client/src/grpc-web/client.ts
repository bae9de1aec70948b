import improbable, { type grpc as GrpcTypes } from '@improbable-eng/grpc-web';
import {
  fromGrpcError,
  type ListTablesResponse__Input,
  type QueryResultChunk,
  type SqlValue,
  type Table,
  toProtoValue,
  tributaryV1,
  type ValidateQueryResponse,
} from '@tributary/core';
import { QueryResult } from '../result.js';

const { grpc } = improbable;

export interface GrpcWebClientOptions {
  /** The coordinator's gRPC-Web base URL, e.g. `https://tributary.example.com:8001`. */
  url: string;
  apiKey?: string;
  /** A JWT; sent as `authorization: Bearer`. */
  token?: string;
  /** Browsers: leave unset (fetch / XHR). Node: `NodeHttpTransport()` from `@improbable-eng/grpc-web-node-http-transport`. */
  transport?: GrpcTypes.TransportFactory;
  /** Per-call deadline for unary calls (ms), sent as `grpc-timeout`. */
  timeoutMs?: number;
}

/** A proto-loader method definition: the encoders generated from the same .proto contract. */
interface LoadedMethod {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestSerialize(value: unknown): Buffer;
  responseDeserialize(bytes: Buffer): unknown;
}

/** Adapts a proto-loader method to the descriptor shape `@improbable-eng/grpc-web` expects. */
function descriptor(service: string, method: string): GrpcTypes.MethodDefinition<never, never> {
  const v1 = tributaryV1() as unknown as Record<string, { service: Record<string, LoadedMethod> }>;
  const loaded = v1[service]?.service[method];
  if (!loaded) throw new Error(`unknown method ${service}/${method}`);
  return {
    methodName: method,
    service: { serviceName: `tributary.v1.${service}` },
    requestStream: false,
    responseStream: loaded.responseStream,
    requestType: {} as never,
    responseType: {
      deserializeBinary: (bytes: Uint8Array) =>
        loaded.responseDeserialize(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
    } as never,
  } as GrpcTypes.MethodDefinition<never, never>;
}

function encodedRequest(service: string, method: string, request: unknown): never {
  const v1 = tributaryV1() as unknown as Record<string, { service: Record<string, LoadedMethod> }>;
  const loaded = v1[service]?.service[method] as LoadedMethod;
  return { serializeBinary: () => new Uint8Array(loaded.requestSerialize(request)) } as never;
}

function failure(code: GrpcTypes.Code, message: string, trailers: GrpcTypes.Metadata) {
  return fromGrpcError({ code, details: message, message, metadata: trailers });
}

/** A small async queue: messages pushed by callbacks, pulled by `for await`. */
class Inbox<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private error: unknown;
  private done = false;
  private wake: (() => void) | undefined;

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }

  end(error?: unknown): void {
    this.done = true;
    this.error = error;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.done) {
        if (this.error) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }
}

/**
 * The coordinator over gRPC-Web, for browsers: the same calls and the same
 * streaming `QueryResult` as the Node client, encoded with the .proto
 * contract's own serializers.
 */
export class GrpcWebClient {
  constructor(private readonly options: GrpcWebClientOptions) {}

  private metadata(timeoutMs?: number): GrpcTypes.Metadata {
    const metadata = new grpc.Metadata();
    if (this.options.apiKey) metadata.set('x-api-key', this.options.apiKey);
    if (this.options.token) metadata.set('authorization', `Bearer ${this.options.token}`);
    if (timeoutMs) metadata.set('grpc-timeout', `${Math.ceil(timeoutMs)}m`);
    return metadata;
  }

  private call(
    service: string,
    method: string,
    request: unknown,
    timeoutMs: number | undefined,
    inbox: Inbox<unknown>,
  ): () => void {
    const request$ = grpc.invoke(descriptor(service, method), {
      host: this.options.url,
      request: encodedRequest(service, method, request),
      metadata: this.metadata(timeoutMs),
      transport: this.options.transport,
      onMessage: (message) => inbox.push(message),
      onEnd: (code, message, trailers) =>
        inbox.end(code === grpc.Code.OK ? undefined : failure(code, message, trailers)),
    });
    return () => request$.close();
  }

  private async unary<T>(service: string, method: string, request: unknown): Promise<T> {
    const inbox = new Inbox<unknown>();
    this.call(service, method, request, this.options.timeoutMs ?? 30_000, inbox);
    let response: unknown;
    for await (const message of inbox) response = message;
    return response as T;
  }

  /** Runs SQL; Arrow record batches stream as the coordinator sends them. */
  query(
    sql: string,
    options: { params?: SqlValue[]; limit?: number; timeoutMs?: number; signal?: AbortSignal } = {},
  ): QueryResult {
    const inbox = new Inbox<unknown>();
    const cancel = this.call(
      'QueryService',
      'ExecuteQuery',
      { sql, params: (options.params ?? []).map(toProtoValue), limit: options.limit ?? 0 },
      options.timeoutMs,
      inbox,
    );
    options.signal?.addEventListener('abort', cancel, { once: true });
    return new QueryResult(inbox as AsyncIterable<QueryResultChunk>, cancel);
  }

  validate(sql: string, params: SqlValue[] = []): Promise<ValidateQueryResponse> {
    return this.unary('QueryService', 'ValidateQuery', { sql, params: params.map(toProtoValue) });
  }

  listTables(
    request: {
      source?: string;
      schema?: string;
      filter?: string;
      pageSize?: number;
      pageToken?: string;
    } = {},
  ): Promise<ListTablesResponse__Input & { tables: Table[]; next_page_token: string }> {
    return this.unary('CatalogService', 'ListTables', {
      source: request.source ?? '',
      schema: request.schema ?? '',
      filter: request.filter ?? '',
      page_size: request.pageSize ?? 0,
      page_token: request.pageToken ?? '',
    });
  }
}
