import type { Store } from '../store.js';
import { DuckDbAgents } from './agents.js';
import { DuckDbApiKeys } from './api-keys.js';
import { DuckDbAudit } from './audit.js';
import { StoreDatabase } from './database.js';
import { DuckDbGroups } from './groups.js';
import { MIGRATIONS, type Migration, migrate } from './migrations.js';
import { DuckDbPolicies } from './policies.js';
import { DuckDbRoles } from './roles.js';
import { DuckDbSavedQueries } from './saved-queries.js';
import { DuckDbTags } from './tags.js';
import { DuckDbTenants } from './tenants.js';
import { DuckDbUsers } from './users.js';

export interface DuckDbStoreOptions {
  /** A database file, created when missing, or `:memory:`. */
  path: string;
  memoryLimit?: string;
  /** The time source for every stored timestamp; tests move it. */
  clock?: () => number;
  /** For tests of upgrades: the migrations to apply instead of all of them. */
  migrations?: readonly Migration[];
}

/** Opens (creating or upgrading) the embedded store. */
export async function openDuckDbStore(options: DuckDbStoreOptions): Promise<Store> {
  const db = await StoreDatabase.open({ path: options.path, memoryLimit: options.memoryLimit ?? '256MB' });
  try {
    await migrate(db, options.migrations ?? MIGRATIONS);
  } catch (error) {
    await db.close();
    throw error;
  }
  const clock = options.clock ?? Date.now;
  return {
    tenants: new DuckDbTenants(db, clock),
    users: new DuckDbUsers(db, clock),
    roles: new DuckDbRoles(db, clock),
    groups: new DuckDbGroups(db, clock),
    apiKeys: new DuckDbApiKeys(db, clock),
    policies: new DuckDbPolicies(db, clock),
    tags: new DuckDbTags(db, clock),
    audit: new DuckDbAudit(db),
    savedQueries: new DuckDbSavedQueries(db, clock),
    agents: new DuckDbAgents(db, clock),
    get generation() {
      return db.generation;
    },
    close: () => db.close(),
  };
}
