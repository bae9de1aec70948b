import { TributaryError } from '@tributary/core';
import type { ApiKeyMatch, ApiKeyRecord, NewApiKey } from '../records.js';
import type { ApiKeyRepository } from '../store.js';
import { json, millis, optionalMillis, text } from './columns.js';
import type { Row, Sql, StoreDatabase } from './database.js';
import { selectUser } from './users.js';

function toApiKey(row: Row): ApiKeyRecord {
  return {
    tenant: text(row.tenant),
    id: text(row.id),
    name: text(row.name),
    ownerUserId: text(row.owner_user_id),
    scopes: json<string[]>(row.scopes, []),
    expiresAt: optionalMillis(row.expires_at),
    createdAt: millis(row.created_at),
    lastUsedAt: optionalMillis(row.last_used_at),
    revokedAt: optionalMillis(row.revoked_at),
    rotatedAt: optionalMillis(row.rotated_at),
    previousSecretExpiresAt: optionalMillis(row.previous_secret_expires_at),
  };
}

async function selectKey(sql: Sql, tenant: string, id: string): Promise<ApiKeyRecord | undefined> {
  const row = await sql.one('SELECT * FROM api_keys WHERE tenant = $tenant AND id = $id', { tenant, id });
  return row ? toApiKey(row) : undefined;
}

async function insertSecret(sql: Sql, tenant: string, keyId: string, sha256: string, now: number) {
  await sql.run(
    `INSERT INTO api_key_secrets (sha256, tenant, key_id, created_at, expires_at)
     VALUES ($sha256, $tenant, $keyId, epoch_ms($now::BIGINT), NULL)`,
    { sha256, tenant, keyId, now },
  );
}

export class DuckDbApiKeys implements ApiKeyRepository {
  constructor(
    private readonly db: StoreDatabase,
    private readonly clock: () => number,
  ) {}

  create(tenant: string, key: NewApiKey): Promise<ApiKeyRecord> {
    return this.db.write(async (sql) => {
      if (!(await selectUser(sql, tenant, key.ownerUserId))) {
        throw TributaryError.notFound(`user ${key.ownerUserId} not found`);
      }
      const now = this.clock();
      await sql.run(
        `INSERT INTO api_keys (tenant, id, name, owner_user_id, scopes, expires_at, created_at)
         VALUES ($tenant, $id, $name, $owner, $scopes, epoch_ms($expiresAt::BIGINT), epoch_ms($now::BIGINT))`,
        {
          tenant,
          id: key.id,
          name: key.name,
          owner: key.ownerUserId,
          scopes: JSON.stringify(key.scopes),
          expiresAt: key.expiresAt ?? null,
          now,
        },
      );
      await insertSecret(sql, tenant, key.id, key.secretSha256, now);
      return (await selectKey(sql, tenant, key.id)) as ApiKeyRecord;
    });
  }

  get(tenant: string, id: string): Promise<ApiKeyRecord | undefined> {
    return this.db.read((sql) => selectKey(sql, tenant, id));
  }

  async list(
    tenant: string,
    query: { ownerUserId?: string; includeRevoked?: boolean },
  ): Promise<ApiKeyRecord[]> {
    const rows = await this.db.read((sql) =>
      sql.all(
        `SELECT * FROM api_keys
         WHERE tenant = $tenant
           AND ($owner::VARCHAR IS NULL OR owner_user_id = $owner::VARCHAR)
           AND ($includeRevoked OR revoked_at IS NULL)
         ORDER BY created_at, id`,
        { tenant, owner: query.ownerUserId || null, includeRevoked: query.includeRevoked ?? false },
      ),
    );
    return rows.map(toApiKey);
  }

  rotate(
    tenant: string,
    id: string,
    secret: { secretSha256: string; previousSecretExpiresAt: number },
  ): Promise<ApiKeyRecord> {
    return this.db.write(async (sql) => {
      const key = await selectKey(sql, tenant, id);
      if (!key) throw TributaryError.notFound(`API key ${id} not found`);
      if (key.revokedAt !== undefined) throw TributaryError.invalid(`API key ${id} is revoked`);
      const now = this.clock();
      const until = secret.previousSecretExpiresAt;
      // Secrets already past their end are dropped; the others end at `until` at the latest.
      await sql.run(
        `DELETE FROM api_key_secrets
         WHERE tenant = $tenant AND key_id = $id AND expires_at <= epoch_ms($now::BIGINT)`,
        { tenant, id, now },
      );
      await sql.run(
        `UPDATE api_key_secrets SET expires_at = epoch_ms($until::BIGINT)
         WHERE tenant = $tenant AND key_id = $id
           AND (expires_at IS NULL OR expires_at > epoch_ms($until::BIGINT))`,
        { tenant, id, until },
      );
      await insertSecret(sql, tenant, id, secret.secretSha256, now);
      await sql.run(
        `UPDATE api_keys SET rotated_at = epoch_ms($now::BIGINT), previous_secret_expires_at = epoch_ms($until::BIGINT)
         WHERE tenant = $tenant AND id = $id`,
        { tenant, id, now, until },
      );
      return (await selectKey(sql, tenant, id)) as ApiKeyRecord;
    });
  }

  revoke(tenant: string, id: string): Promise<ApiKeyRecord> {
    return this.db.write(async (sql) => {
      const key = await selectKey(sql, tenant, id);
      if (!key) throw TributaryError.notFound(`API key ${id} not found`);
      await sql.run('DELETE FROM api_key_secrets WHERE tenant = $tenant AND key_id = $id', { tenant, id });
      await sql.run(
        `UPDATE api_keys SET revoked_at = epoch_ms($now::BIGINT)
         WHERE tenant = $tenant AND id = $id AND revoked_at IS NULL`,
        { tenant, id, now: this.clock() },
      );
      return (await selectKey(sql, tenant, id)) as ApiKeyRecord;
    });
  }

  findBySecret(secretSha256: string): Promise<ApiKeyMatch | undefined> {
    return this.db.read(async (sql) => {
      const row = await sql.one(
        `SELECT k.*, s.sha256 AS secret_sha256, s.expires_at AS secret_expires_at
         FROM api_key_secrets s JOIN api_keys k ON k.tenant = s.tenant AND k.id = s.key_id
         WHERE s.sha256 = $sha256`,
        { sha256: secretSha256 },
      );
      if (!row) return undefined;
      const key = toApiKey(row);
      return {
        key,
        secretSha256: text(row.secret_sha256),
        secretExpiresAt: optionalMillis(row.secret_expires_at),
        owner: await selectUser(sql, key.tenant, key.ownerUserId),
      };
    });
  }

  async recordUse(tenant: string, id: string, at: number): Promise<void> {
    await this.db.write((sql) =>
      sql.run(
        `UPDATE api_keys SET last_used_at = epoch_ms($at::BIGINT) WHERE tenant = $tenant AND id = $id`,
        {
          tenant,
          id,
          at,
        },
      ),
    );
  }
}
