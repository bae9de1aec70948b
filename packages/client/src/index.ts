export { NodeHttpTransport as grpcWebNodeTransport } from '@improbable-eng/grpc-web-node-http-transport';
export type { RowObject, SqlValue } from '@tributary/core';
export { TributaryError } from '@tributary/core';
export type { Credentials, ListTablesOptions } from './call-options.js';
export { type ClientOptions, type QueryOptions, TributaryClient } from './client.js';
export { AdminClient, AgentClient, type CallOptions, CatalogClient } from './grpc/index.js';
export { GrpcWebClient, type GrpcWebClientOptions, type WebQueryOptions } from './grpc-web/index.js';
export { QueryResult } from './result.js';
export {
  DEFAULT_RETRY,
  type FailureClassifier,
  type FailureVerdict,
  type RetryContext,
  type RetryEvent,
  type RetryOptions,
  type RetryPolicy,
  retrying,
  retryingStream,
  retryPolicy,
} from './retry/index.js';
export type * from './types.js';
