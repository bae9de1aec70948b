import crypto, { createHash, randomBytes } from 'node:crypto';
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

/** Whether `key` could be an API key at all; anything else is refused before hashing. */
export function isApiKeyShaped(key: string): boolean {
  return key.startsWith(API_KEY_PREFIX) && key.length <= 256;
}

/**
 * Compares two hex SHA-256 digests in constant time. Keys are found by their
 * digest, so the comparison is a second check that does not depend on how
 * the lookup compares strings. Called through the module object so a test
 * can observe it.
 */
export function digestsEqual(stored: string, presented: string): boolean {
  const a = Buffer.from(stored, 'hex');
  const b = Buffer.from(presented, 'hex');
  return a.length === 32 && b.length === 32 && crypto.timingSafeEqual(a, b);
}

/** API keys declared in the configuration file (bootstrap credentials), held by hash. */
export class ApiKeyVerifier {
  private readonly byHash = new Map<string, ApiKeyEntry>();

  constructor(
    entries: readonly ApiKeyEntry[],
    private readonly tenant: string,
  ) {
    for (const entry of entries) this.byHash.set(entry.sha256, entry);
  }

  verify(key: string): Principal | undefined {
    if (!isApiKeyShaped(key)) return undefined;
    const presented = hashApiKey(key);
    const entry = this.byHash.get(presented);
    if (!entry || !digestsEqual(entry.sha256, presented)) return undefined;
    if (entry.expires_at && Date.parse(entry.expires_at) <= Date.now()) return undefined;
    return {
      tenant: this.tenant,
      subject: entry.subject,
      roles: [...entry.roles],
      groups: [],
      attributes: { ...entry.attributes },
      method: 'api_key',
      keyId: entry.id,
    };
  }
}
