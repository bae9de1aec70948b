export * from './arrow/index.js';
export * from './config/index.js';
export * from './errors/index.js';
export * from './grpc/index.js';
export * from './ids/index.js';
export * from './logging/index.js';
export * from './proto/index.js';
export * from './sql/index.js';
export { TRIBUTARY_VERSION } from './version.js';
