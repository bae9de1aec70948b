// Persistence of the coordinator's state: identities, keys, policies, tags,
// audit. Callers see only `Store` and its records; which database holds them
// is decided here.
import { openDuckDbStore } from './duckdb/duckdb-store.js';
import type { Store } from './store.js';

export * from './agent-records.js';
export * from './records.js';
export type {
  AgentRepository,
  ApiKeyRepository,
  AuditRepository,
  GroupRepository,
  PolicyRepository,
  RoleRepository,
  SavedQueryRepository,
  Store,
  TagRepository,
  TenantRepository,
  UserRepository,
} from './store.js';

export interface StoreOptions {
  /** A database file (created when missing) or `:memory:`. */
  path: string;
  memoryLimit?: string;
  clock?: () => number;
}

export function openStore(options: StoreOptions): Promise<Store> {
  return openDuckDbStore(options);
}
