export { GrpcWebClient, type GrpcWebClientOptions, type WebQueryOptions } from './client.js';
