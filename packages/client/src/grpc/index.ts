export { AdminClient } from './admin-client.js';
export { AgentClient } from './agent-client.js';
export { type CallerSettings, type CallOptions, GrpcCaller, type Idempotency } from './caller.js';
export { CatalogClient } from './catalog-client.js';
export { classifyGrpcFailure } from './failure.js';
