export { MemoryBlobCache, MemoryEdgeDirectory, MemorySettings, MemoryState } from './memory-state.js';
export { openSharedState } from './open-shared-state.js';
export { RedisState } from './redis-state.js';
export type {
  BlobCache,
  EdgeChange,
  EdgeDirectory,
  EdgeRecord,
  RequestWindow,
  SharedSettings,
  SharedState,
  SharedStateHealth,
  SlotGrant,
  SlotPool,
  WindowState,
} from './shared-state.js';
export { StoreChangeFeed } from './store-changes.js';
