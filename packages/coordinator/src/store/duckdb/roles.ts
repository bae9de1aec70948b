import { TributaryError } from '@tributary/core';
import type { RoleRecord } from '../records.js';
import type { RoleRepository } from '../store.js';
import { millis, text } from './columns.js';
import type { Row, Sql, StoreDatabase } from './database.js';

function toRole(row: Row): RoleRecord {
  return {
    tenant: text(row.tenant),
    name: text(row.name),
    description: text(row.description),
    builtIn: row.built_in === true,
    createdAt: millis(row.created_at),
    updatedAt: millis(row.updated_at),
  };
}

async function selectRole(sql: Sql, tenant: string, name: string): Promise<RoleRecord | undefined> {
  const row = await sql.one('SELECT * FROM roles WHERE tenant = $tenant AND name = $name', { tenant, name });
  return row ? toRole(row) : undefined;
}

export class DuckDbRoles implements RoleRepository {
  constructor(
    private readonly db: StoreDatabase,
    private readonly clock: () => number,
  ) {}

  async list(tenant: string): Promise<RoleRecord[]> {
    const rows = await this.db.read((sql) =>
      sql.all('SELECT * FROM roles WHERE tenant = $tenant ORDER BY built_in DESC, name', { tenant }),
    );
    return rows.map(toRole);
  }

  get(tenant: string, name: string): Promise<RoleRecord | undefined> {
    return this.db.read((sql) => selectRole(sql, tenant, name));
  }

  create(tenant: string, role: { name: string; description: string }): Promise<RoleRecord> {
    return this.db.write(async (sql) => {
      if (await selectRole(sql, tenant, role.name)) {
        throw new TributaryError('CONFLICT', `role "${role.name}" already exists`);
      }
      await sql.run(
        `INSERT INTO roles (tenant, name, description, built_in, created_at, updated_at)
         VALUES ($tenant, $name, $description, false, epoch_ms($now::BIGINT), epoch_ms($now::BIGINT))`,
        { tenant, name: role.name, description: role.description, now: this.clock() },
      );
      return (await selectRole(sql, tenant, role.name)) as RoleRecord;
    });
  }

  update(tenant: string, name: string, change: { description: string }): Promise<RoleRecord> {
    return this.db.write(async (sql) => {
      if (!(await selectRole(sql, tenant, name))) throw TributaryError.notFound(`role "${name}" not found`);
      await sql.run(
        `UPDATE roles SET description = $description, updated_at = epoch_ms($now::BIGINT)
         WHERE tenant = $tenant AND name = $name`,
        { tenant, name, description: change.description, now: this.clock() },
      );
      return (await selectRole(sql, tenant, name)) as RoleRecord;
    });
  }

  delete(tenant: string, name: string): Promise<{ role: RoleRecord; unassignedUsers: number } | undefined> {
    return this.db.write(async (sql) => {
      const role = await selectRole(sql, tenant, name);
      if (!role) return undefined;
      if (role.builtIn) throw TributaryError.invalid(`built-in role "${name}" cannot be deleted`);
      const unassignedUsers = await sql.run(
        'DELETE FROM role_assignments WHERE tenant = $tenant AND role = $name',
        {
          tenant,
          name,
        },
      );
      await sql.run('DELETE FROM roles WHERE tenant = $tenant AND name = $name', { tenant, name });
      return { role, unassignedUsers };
    });
  }
}
