import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyEntry } from '../config/coordinator-config.js';
import type { Principal } from './principal.js';

export const API_KEY_PREFIX = 'trb_live_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key: the prefix and 32 random bytes; only its hash is ever stored. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** API keys known to the coordinator, held by hash. */
export class ApiKeyVerifier {
  private readonly byHash = new Map<string, ApiKeyEntry>();

  constructor(
    entries: readonly ApiKeyEntry[],
    private readonly tenant: string,
  ) {
    for (const entry of entries) this.byHash.set(entry.sha256, entry);
  }

  verify(key: string): Principal | undefined {
    if (!key.startsWith(API_KEY_PREFIX) || key.length > 256) return undefined;
    const presented = hashApiKey(key);
    const entry = this.byHash.get(presented);
    if (!entry) return undefined;
    // The lookup above is by hash; comparing the full digests in constant
    // time as well keeps the check independent of map internals.
    if (!timingSafeEqual(Buffer.from(entry.sha256, 'hex'), Buffer.from(presented, 'hex'))) return undefined;
    if (entry.expires_at && Date.parse(entry.expires_at) <= Date.now()) return undefined;
    return {
      tenant: this.tenant,
      subject: entry.subject,
      roles: [...entry.roles],
      attributes: { ...entry.attributes },
      method: 'api_key',
      keyId: entry.id,
    };
  }
}
