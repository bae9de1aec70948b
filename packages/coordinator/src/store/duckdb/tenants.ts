import { randomBytes } from 'node:crypto';
import { TributaryError } from '@tributary/core';
import { BUILT_IN_ROLES, type TenantChange, type TenantRecord } from '../records.js';
import type { TenantRepository } from '../store.js';
import { json, millis, text } from './columns.js';
import type { Row, Sql, StoreDatabase } from './database.js';

function toTenant(row: Row): TenantRecord {
  return {
    id: text(row.id),
    displayName: text(row.display_name),
    settings: json<Record<string, string>>(row.settings, {}),
    hashSalt: text(row.hash_salt),
    createdAt: millis(row.created_at),
    updatedAt: millis(row.updated_at),
  };
}

async function selectTenant(sql: Sql, id: string): Promise<TenantRecord | undefined> {
  const row = await sql.one('SELECT * FROM tenants WHERE id = $id', { id });
  return row ? toTenant(row) : undefined;
}

export class DuckDbTenants implements TenantRepository {
  constructor(
    private readonly db: StoreDatabase,
    private readonly clock: () => number,
  ) {}

  async ensure(id: string, displayName?: string): Promise<TenantRecord> {
    const existing = await this.get(id);
    if (existing) return existing;
    return this.db.write(async (sql) => {
      const raced = await selectTenant(sql, id);
      if (raced) return raced;
      const now = this.clock();
      await sql.run(
        `INSERT INTO tenants (id, display_name, settings, hash_salt, created_at, updated_at)
         VALUES ($id, $name, '{}', $salt, epoch_ms($now::BIGINT), epoch_ms($now::BIGINT))`,
        // 256 bits: the salt keeps hashed values of small domains (emails,
        // phone numbers) from being reversed by enumerating the domain.
        { id, name: displayName ?? id, salt: randomBytes(32).toString('base64url'), now },
      );
      for (const role of BUILT_IN_ROLES) {
        await sql.run(
          `INSERT INTO roles (tenant, name, description, built_in, created_at, updated_at)
           VALUES ($tenant, $name, $description, true, epoch_ms($now::BIGINT), epoch_ms($now::BIGINT))
           ON CONFLICT DO NOTHING`,
          { tenant: id, name: role.name, description: role.description, now },
        );
      }
      return (await selectTenant(sql, id)) as TenantRecord;
    });
  }

  get(id: string): Promise<TenantRecord | undefined> {
    return this.db.read((sql) => selectTenant(sql, id));
  }

  update(id: string, change: TenantChange): Promise<TenantRecord> {
    return this.db.write(async (sql) => {
      const tenant = await selectTenant(sql, id);
      if (!tenant) throw TributaryError.notFound(`tenant ${id} not found`);
      const settings = { ...tenant.settings, ...change.setSettings };
      for (const key of change.removeSettings ?? []) delete settings[key];
      await sql.run(
        `UPDATE tenants SET display_name = $name, settings = $settings, updated_at = epoch_ms($now::BIGINT)
         WHERE id = $id`,
        {
          id,
          name: change.displayName ?? tenant.displayName,
          settings: JSON.stringify(settings),
          now: this.clock(),
        },
      );
      return (await selectTenant(sql, id)) as TenantRecord;
    });
  }
}
