// Raw grpc-js calls, for what the SDK does not expose: custom metadata
// (x-request-id), response headers and trailers, and services other than
// the coordinator's (an edge's EdgeService).
import {
  type ClientReadableStream,
  credentials,
  Metadata,
  type ServiceError,
  type status,
} from '@grpc/grpc-js';
import {
  type EdgeServiceClient,
  GRPC_CHANNEL_OPTIONS,
  type QueryServiceClient,
  tributaryV1,
} from '@tributary/core';

export interface CallOutcome {
  code: status;
  details: string;
  /** Response headers, when the server sent any before ending the call. */
  headers: Metadata | undefined;
  trailers: Metadata;
  messages: unknown[];
}

export function metadataOf(entries: Record<string, string>): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
  return metadata;
}

/** Reads a server stream to its end and reports its status, headers and trailers (never rejects). */
export function finishStream(call: ClientReadableStream<unknown>): Promise<CallOutcome> {
  return new Promise((resolve) => {
    let headers: Metadata | undefined;
    const messages: unknown[] = [];
    call.on('metadata', (metadata: Metadata) => {
      headers = metadata;
    });
    call.on('data', (message: unknown) => messages.push(message));
    call.on('error', () => undefined); // the status event carries the outcome
    call.on('status', (s: { code: status; details: string; metadata: Metadata }) =>
      resolve({ code: s.code, details: s.details, headers, trailers: s.metadata, messages }),
    );
  });
}

/** A QueryService stub on the coordinator, for calls with hand-made metadata. */
export function rawQueryService(address: string): QueryServiceClient {
  return new (tributaryV1().QueryService)(
    address,
    credentials.createInsecure(),
    GRPC_CHANNEL_OPTIONS,
  ) as unknown as QueryServiceClient;
}

/** An EdgeService stub, as only the coordinator is meant to hold one. */
export function rawEdgeService(address: string): EdgeServiceClient {
  return new (tributaryV1().EdgeService)(
    address,
    credentials.createInsecure(),
    GRPC_CHANNEL_OPTIONS,
  ) as unknown as EdgeServiceClient;
}

export interface UnaryOutcome<T> {
  error: ServiceError | null;
  response: T | undefined;
}

/** Calls a unary method with metadata and a deadline; resolves with the error or the response. */
export function unaryCall<T>(
  invoke: (
    metadata: Metadata,
    options: { deadline: number },
    callback: (error: ServiceError | null, response?: T) => void,
  ) => unknown,
  metadata: Metadata,
  timeoutMs = 10_000,
): Promise<UnaryOutcome<T>> {
  return new Promise((resolve) => {
    invoke(metadata, { deadline: Date.now() + timeoutMs }, (error, response) => resolve({ error, response }));
  });
}
