// `@tributary/client/web`: the SDK for browsers. Nothing reachable from here
// imports a gRPC library or a Node built-in.
export {
  type ErrorCode,
  JsonRowEncoder,
  type JsonValue,
  type RowObject,
  TributaryError,
} from '@tributary/core/web';
export type { Credentials, ListTablesOptions } from './call-options.js';
export { GrpcWebClient, type GrpcWebClientOptions, type WebQueryOptions } from './grpc-web/index.js';
export { QueryResult } from './result.js';
export type { RetryEvent, RetryOptions } from './retry/index.js';
