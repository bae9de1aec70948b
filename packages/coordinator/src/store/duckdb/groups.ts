import { TributaryError } from '@tributary/core';
import type { GroupChange, GroupRecord } from '../records.js';
import type { GroupRepository } from '../store.js';
import { millis, stringList, text } from './columns.js';
import type { Row, Sql, StoreDatabase } from './database.js';

const GROUP_COLUMNS = `g.*, (
  SELECT list(m.user_id ORDER BY m.user_id) FROM group_members m
  WHERE m.tenant = g.tenant AND m.group_name = g.name
) AS members`;

function toGroup(row: Row): GroupRecord {
  return {
    tenant: text(row.tenant),
    name: text(row.name),
    description: text(row.description),
    members: stringList(row.members),
    createdAt: millis(row.created_at),
    updatedAt: millis(row.updated_at),
  };
}

async function selectGroup(sql: Sql, tenant: string, name: string): Promise<GroupRecord | undefined> {
  const row = await sql.one(
    `SELECT ${GROUP_COLUMNS} FROM groups g WHERE g.tenant = $tenant AND g.name = $name`,
    {
      tenant,
      name,
    },
  );
  return row ? toGroup(row) : undefined;
}

async function requireGroup(sql: Sql, tenant: string, name: string): Promise<GroupRecord> {
  const group = await selectGroup(sql, tenant, name);
  if (!group) throw TributaryError.notFound(`group "${name}" not found`);
  return group;
}

/** Refuses member ids that are not users of the tenant, naming the first unknown one. */
async function checkUsersExist(sql: Sql, tenant: string, users: readonly string[]): Promise<void> {
  for (const id of new Set(users)) {
    const found = await sql.one('SELECT 1 AS found FROM users WHERE tenant = $tenant AND id = $id', {
      tenant,
      id,
    });
    if (!found) throw TributaryError.invalid(`user ${id} does not exist`);
  }
}

async function addMembers(sql: Sql, tenant: string, name: string, users: readonly string[]): Promise<void> {
  await checkUsersExist(sql, tenant, users);
  for (const userId of new Set(users)) {
    await sql.run(
      `INSERT INTO group_members (tenant, group_name, user_id) VALUES ($tenant, $name, $userId)
       ON CONFLICT DO NOTHING`,
      { tenant, name, userId },
    );
  }
}

async function removeMembers(
  sql: Sql,
  tenant: string,
  name: string,
  users: readonly string[],
): Promise<number> {
  let removed = 0;
  for (const userId of new Set(users)) {
    removed += await sql.run(
      'DELETE FROM group_members WHERE tenant = $tenant AND group_name = $name AND user_id = $userId',
      { tenant, name, userId },
    );
  }
  return removed;
}

async function touch(sql: Sql, tenant: string, name: string, now: number): Promise<void> {
  await sql.run(
    'UPDATE groups SET updated_at = epoch_ms($now::BIGINT) WHERE tenant = $tenant AND name = $name',
    { tenant, name, now },
  );
}

export class DuckDbGroups implements GroupRepository {
  constructor(
    private readonly db: StoreDatabase,
    private readonly clock: () => number,
  ) {}

  async list(tenant: string): Promise<GroupRecord[]> {
    const rows = await this.db.read((sql) =>
      sql.all(`SELECT ${GROUP_COLUMNS} FROM groups g WHERE g.tenant = $tenant ORDER BY g.name`, { tenant }),
    );
    return rows.map(toGroup);
  }

  get(tenant: string, name: string): Promise<GroupRecord | undefined> {
    return this.db.read((sql) => selectGroup(sql, tenant, name));
  }

  create(
    tenant: string,
    group: { name: string; description: string; members?: string[] },
  ): Promise<GroupRecord> {
    return this.db.write(async (sql) => {
      if (await selectGroup(sql, tenant, group.name)) {
        throw new TributaryError('CONFLICT', `group "${group.name}" already exists`);
      }
      await sql.run(
        `INSERT INTO groups (tenant, name, description, created_at, updated_at)
         VALUES ($tenant, $name, $description, epoch_ms($now::BIGINT), epoch_ms($now::BIGINT))`,
        { tenant, name: group.name, description: group.description, now: this.clock() },
      );
      await addMembers(sql, tenant, group.name, group.members ?? []);
      return requireGroup(sql, tenant, group.name);
    });
  }

  update(tenant: string, name: string, change: GroupChange): Promise<GroupRecord> {
    return this.db.write(async (sql) => {
      await requireGroup(sql, tenant, name);
      if (change.description !== undefined) {
        await sql.run(
          'UPDATE groups SET description = $description WHERE tenant = $tenant AND name = $name',
          {
            tenant,
            name,
            description: change.description,
          },
        );
      }
      await addMembers(sql, tenant, name, change.addMembers ?? []);
      await removeMembers(sql, tenant, name, change.removeMembers ?? []);
      await touch(sql, tenant, name, this.clock());
      return requireGroup(sql, tenant, name);
    });
  }

  setMembers(tenant: string, name: string, members: readonly string[]): Promise<GroupRecord> {
    return this.db.write(async (sql) => {
      await requireGroup(sql, tenant, name);
      await checkUsersExist(sql, tenant, members);
      await sql.run('DELETE FROM group_members WHERE tenant = $tenant AND group_name = $name', {
        tenant,
        name,
      });
      await addMembers(sql, tenant, name, members);
      await touch(sql, tenant, name, this.clock());
      return requireGroup(sql, tenant, name);
    });
  }

  addMembers(tenant: string, name: string, members: readonly string[]): Promise<GroupRecord> {
    return this.update(tenant, name, { addMembers: [...members] });
  }

  removeMembers(tenant: string, name: string, members: readonly string[]): Promise<GroupRecord> {
    return this.update(tenant, name, { removeMembers: [...members] });
  }

  async groupsOf(tenant: string, userId: string): Promise<string[]> {
    const rows = await this.db.read((sql) =>
      sql.all(
        'SELECT group_name FROM group_members WHERE tenant = $tenant AND user_id = $userId ORDER BY group_name',
        { tenant, userId },
      ),
    );
    return rows.map((row) => text(row.group_name));
  }

  delete(tenant: string, name: string): Promise<{ group: GroupRecord; removedMembers: number } | undefined> {
    return this.db.write(async (sql) => {
      const group = await selectGroup(sql, tenant, name);
      if (!group) return undefined;
      const removedMembers = await sql.run(
        'DELETE FROM group_members WHERE tenant = $tenant AND group_name = $name',
        { tenant, name },
      );
      await sql.run('DELETE FROM groups WHERE tenant = $tenant AND name = $name', { tenant, name });
      return { group, removedMembers };
    });
  }
}
