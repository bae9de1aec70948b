export { type GrpcWebOptions, type RunningGrpcWeb, startGrpcWeb } from './server.js';
