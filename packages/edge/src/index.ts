export {
  type EdgeConfig,
  type EdgeConfigInput,
  edgeConfigSchema,
  loadEdgeConfig,
} from './config/edge-config.js';
export { type RunningEdge, startEdge } from './edge.js';
export { discoverFileTables } from './sources/index.js';
