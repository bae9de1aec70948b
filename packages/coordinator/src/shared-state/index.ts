export { MemoryBlobCache, MemoryEdgeDirectory, MemorySettings, MemoryState } from './memory-state.js';
export { openSharedState } from './open-shared-state.js';
export { REVOCATION_SYNC_MS, RedisRevocationList } from './redis-revocations.js';
export { RedisState } from './redis-state.js';
export {
  LocalRevocations,
  MAX_REVOCATION_MS,
  MemoryRevocationList,
  type Revocation,
  type RevocationChecks,
  type RevocationList,
} from './revocations.js';
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
