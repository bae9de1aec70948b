/**
 * Credentials refused on every replica. Each replica keeps users and API
 * keys in its own store, so a revocation written there reaches no other
 * replica; this list carries it instead. Entries name credentials, never
 * secrets: an API key by id, a user by tenant and subject, a token by its
 * `jti` or by "issued before" for its subject. Each entry expires when it
 * can no longer matter (the key's or token's expiry, or MAX_REVOCATION_MS).
 */
export type Revocation =
  | { kind: 'api_key'; tenant: string; keyId: string; expiresAt: number }
  | { kind: 'user'; tenant: string; subject: string; expiresAt: number }
  | { kind: 'token'; tenant: string; jti: string; expiresAt: number }
  | { kind: 'tokens_before'; tenant: string; subject: string; issuedBefore: number; expiresAt: number };

/** How long an entry without a natural end (a key that never expires, a deleted user) is kept. */
export const MAX_REVOCATION_MS = 365 * 24 * 3600 * 1000;

/** What authentication asks on every request: answered from memory, never a round trip. */
export interface RevocationChecks {
  isKeyRevoked(tenant: string, keyId: string): boolean;
  isUserRevoked(tenant: string, subject: string): boolean;
  /** Whether a token of `subject` with this `jti` and `iat` (ms) was blocked. */
  isTokenRevoked(
    tenant: string,
    subject: string,
    jti: string | undefined,
    issuedAt: number | undefined,
  ): boolean;
}

export interface RevocationList extends RevocationChecks {
  /** Records a revocation here at once and for every replica. */
  add(entry: Revocation): Promise<void>;
  /** Lifts a user's revocation: the user was enabled or created again. */
  restoreUser(tenant: string, subject: string): Promise<void>;
}

/** The identity of an entry: two revocations of the same thing are one entry. */
export function revocationId(entry: Revocation): string {
  switch (entry.kind) {
    case 'api_key':
      return JSON.stringify([entry.kind, entry.tenant, entry.keyId]);
    case 'token':
      return JSON.stringify([entry.kind, entry.tenant, entry.jti]);
    case 'user':
      return JSON.stringify([entry.kind, entry.tenant, entry.subject]);
    case 'tokens_before':
      return JSON.stringify([entry.kind, entry.tenant, entry.subject]);
  }
}

const id = (kind: Revocation['kind'], tenant: string, name: string) => JSON.stringify([kind, tenant, name]);

/**
 * Revocations held in this process: the whole list for a single
 * coordinator, the local mirror of the shared list for replicas.
 */
export class LocalRevocations implements RevocationChecks {
  private readonly entries = new Map<string, Revocation>();

  constructor(private readonly clock: () => number = Date.now) {}

  get size(): number {
    return this.entries.size;
  }

  apply(entry: Revocation): void {
    const key = revocationId(entry);
    const known = this.entries.get(key);
    if (known?.kind === 'tokens_before' && entry.kind === 'tokens_before') {
      // The later cutoff covers the earlier one; keep the longer life too.
      this.entries.set(key, {
        ...entry,
        issuedBefore: Math.max(known.issuedBefore, entry.issuedBefore),
        expiresAt: Math.max(known.expiresAt, entry.expiresAt),
      });
      return;
    }
    if (known && known.expiresAt > entry.expiresAt) return;
    this.entries.set(key, entry);
  }

  restoreUser(tenant: string, subject: string): void {
    this.entries.delete(id('user', tenant, subject));
  }

  /** Forgets entries that can no longer matter. */
  prune(): void {
    const now = this.clock();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  isKeyRevoked(tenant: string, keyId: string): boolean {
    return this.live(id('api_key', tenant, keyId)) !== undefined;
  }

  isUserRevoked(tenant: string, subject: string): boolean {
    return this.live(id('user', tenant, subject)) !== undefined;
  }

  isTokenRevoked(
    tenant: string,
    subject: string,
    jti: string | undefined,
    issuedAt: number | undefined,
  ): boolean {
    if (jti !== undefined && this.live(id('token', tenant, jti))) return true;
    const cutoff = this.live(id('tokens_before', tenant, subject));
    if (cutoff?.kind !== 'tokens_before') return false;
    // A token without `iat` cannot prove it was issued after the cutoff. `iat`
    // has whole seconds, so a token issued in the cutoff's own second is refused too.
    return issuedAt === undefined || issuedAt < cutoff.issuedBefore;
  }

  private live(key: string): Revocation | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > this.clock() ? entry : undefined;
  }
}

/** The list of a single coordinator: nothing to share. */
export class MemoryRevocationList implements RevocationList {
  private readonly local: LocalRevocations;

  constructor(clock: () => number = Date.now) {
    this.local = new LocalRevocations(clock);
  }

  async add(entry: Revocation): Promise<void> {
    this.local.prune();
    this.local.apply(entry);
  }

  async restoreUser(tenant: string, subject: string): Promise<void> {
    this.local.restoreUser(tenant, subject);
  }

  get size(): number {
    return this.local.size;
  }

  isKeyRevoked(tenant: string, keyId: string): boolean {
    return this.local.isKeyRevoked(tenant, keyId);
  }

  isUserRevoked(tenant: string, subject: string): boolean {
    return this.local.isUserRevoked(tenant, subject);
  }

  isTokenRevoked(
    tenant: string,
    subject: string,
    jti: string | undefined,
    issuedAt: number | undefined,
  ): boolean {
    return this.local.isTokenRevoked(tenant, subject, jti, issuedAt);
  }
}
