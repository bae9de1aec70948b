export { GrpcWebClient, type GrpcWebClientOptions } from './client.js';
