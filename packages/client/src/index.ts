export { NodeHttpTransport as grpcWebNodeTransport } from '@improbable-eng/grpc-web-node-http-transport';
export { TributaryError } from '@tributary/core';
export { type ClientOptions, type QueryOptions, TributaryClient } from './client.js';
export { GrpcWebClient, type GrpcWebClientOptions } from './grpc-web/index.js';
export { QueryResult } from './result.js';
