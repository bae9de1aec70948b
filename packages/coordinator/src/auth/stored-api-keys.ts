import type { Logger } from '@tributary/core';
import type { ApiKeyRecord, ApiKeyRepository } from '../store/index.js';
import { digestsEqual, hashApiKey, isApiKeyShaped } from './api-keys.js';
import type { Principal } from './principal.js';

/** `last_used_at` is written at most this often per key, so verification is not a write per request. */
export const LAST_USED_INTERVAL_MS = 60_000;

export interface StoredApiKeyVerifierOptions {
  clock?: () => number;
  logger?: Logger;
}

/**
 * API keys issued through AdminService, verified against the store on every
 * request, so a revocation, a deleted or disabled owner, or a role change
 * takes effect at once. The principal is the key's owner as stored: its
 * roles and attributes, with the key's id and scopes.
 */
export class StoredApiKeyVerifier {
  private readonly lastRecorded = new Map<string, number>();
  private readonly clock: () => number;

  constructor(
    private readonly keys: Pick<ApiKeyRepository, 'findBySecret' | 'recordUse'>,
    private readonly options: StoredApiKeyVerifierOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
  }

  async verify(key: string): Promise<Principal | undefined> {
    if (!isApiKeyShaped(key)) return undefined;
    const presented = hashApiKey(key);
    const match = await this.keys.findBySecret(presented);
    if (!match || !digestsEqual(match.secretSha256, presented)) return undefined;
    const { key: record, owner } = match;
    const now = this.clock();
    if (record.revokedAt !== undefined) return undefined;
    if (record.expiresAt !== undefined && record.expiresAt <= now) return undefined;
    // A secret replaced by a rotation works until the end of its grace period.
    if (match.secretExpiresAt !== undefined && match.secretExpiresAt <= now) return undefined;
    if (!owner || owner.disabled) return undefined;
    this.recordUse(record, now);
    return {
      tenant: record.tenant,
      subject: owner.subject,
      roles: [...owner.roles],
      groups: [...owner.groups],
      attributes: { ...owner.attributes },
      method: 'api_key',
      keyId: record.id,
      scopes: [...record.scopes],
    };
  }

  /** Fire and forget: a failed bookkeeping write must not fail the request. */
  private recordUse(record: ApiKeyRecord, now: number): void {
    const id = `${record.tenant}\u0000${record.id}`;
    const last = Math.max(this.lastRecorded.get(id) ?? 0, record.lastUsedAt ?? 0);
    if (now - last < LAST_USED_INTERVAL_MS) return;
    this.lastRecorded.set(id, now);
    this.keys.recordUse(record.tenant, record.id, now).catch((error: unknown) => {
      this.options.logger?.warn({ err: error, keyId: record.id }, 'could not record API key use');
    });
  }
}
