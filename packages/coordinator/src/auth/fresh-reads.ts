import type { ApiKeyRepository, UserRepository } from '../store/index.js';

/**
 * How long an identity read may be reused. Changes made through this
 * coordinator invalidate at once (the store's generation moves); changes made
 * by another coordinator sharing the store show within this window.
 */
const FRESH_MS = 1_000;
const MAX_ENTRIES = 10_000;

class FreshCache {
  private readonly entries = new Map<string, { value: unknown; at: number; generation: number }>();

  constructor(private readonly generation: () => number) {}

  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const generation = this.generation();
    const hit = this.entries.get(key);
    if (hit && hit.generation === generation && now - hit.at < FRESH_MS) return hit.value as T;
    const value = await load();
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { value, at: now, generation });
    return value;
  }
}

type UserReads = Pick<UserRepository, 'findBySubject' | 'isDeletedSubject'>;
type KeyReads = Pick<ApiKeyRepository, 'findBySecret' | 'recordUse'>;

/**
 * Authentication reads the store on every request (the key's record, the
 * user of a token's subject). These wrappers reuse a read until the store
 * changes or a second passes, which keeps two database round trips off every
 * query's latency without delaying revocations made here.
 */
export function cachedIdentityReads(
  users: UserReads,
  keys: KeyReads,
  generation: () => number,
): { users: UserReads; keys: KeyReads } {
  const cache = new FreshCache(generation);
  return {
    users: {
      findBySubject: (tenant, subject) =>
        cache.get(`user\u0000${tenant}\u0000${subject}`, () => users.findBySubject(tenant, subject)),
      isDeletedSubject: (tenant, subject) =>
        cache.get(`deleted\u0000${tenant}\u0000${subject}`, () => users.isDeletedSubject(tenant, subject)),
    },
    keys: {
      findBySecret: (digest) => cache.get(`key\u0000${digest}`, () => keys.findBySecret(digest)),
      recordUse: (tenant, id, at) => keys.recordUse(tenant, id, at),
    },
  };
}
