export { NodeHttpTransport as grpcWebNodeTransport } from '@improbable-eng/grpc-web-node-http-transport';
export { TributaryError } from '@tributary/core';
export type { Credentials, ListTablesOptions } from './call-options.js';
export { type ClientOptions, type QueryOptions, TributaryClient } from './client.js';
export { GrpcWebClient, type GrpcWebClientOptions, type WebQueryOptions } from './grpc-web/index.js';
export { QueryResult } from './result.js';
