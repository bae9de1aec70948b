import { TributaryError } from '@tributary/core';
import { decodeStringCursor, encodeCursor } from '../cursor.js';
import type { Attributes, NewUser, Page, UserChange, UserQuery, UserRecord } from '../records.js';
import type { UserRepository } from '../store.js';
import { json, millis, newId, stringList, text } from './columns.js';
import type { Row, Sql, StoreDatabase } from './database.js';

const USER_COLUMNS = `u.*, (
  SELECT list(r.role ORDER BY r.role) FROM role_assignments r WHERE r.tenant = u.tenant AND r.user_id = u.id
) AS roles, (
  SELECT list(g.group_name ORDER BY g.group_name) FROM group_members g WHERE g.tenant = u.tenant AND g.user_id = u.id
) AS groups`;

function toUser(row: Row): UserRecord {
  return {
    tenant: text(row.tenant),
    id: text(row.id),
    subject: text(row.subject),
    email: text(row.email),
    displayName: text(row.display_name),
    roles: stringList(row.roles),
    groups: stringList(row.groups),
    attributes: json<Attributes>(row.attributes, {}),
    disabled: row.disabled === true,
    createdAt: millis(row.created_at),
    updatedAt: millis(row.updated_at),
  };
}

export async function selectUser(sql: Sql, tenant: string, id: string): Promise<UserRecord | undefined> {
  const row = await sql.one(`SELECT ${USER_COLUMNS} FROM users u WHERE u.tenant = $tenant AND u.id = $id`, {
    tenant,
    id,
  });
  return row ? toUser(row) : undefined;
}

async function selectBySubject(sql: Sql, tenant: string, subject: string): Promise<UserRecord | undefined> {
  const row = await sql.one(
    `SELECT ${USER_COLUMNS} FROM users u WHERE u.tenant = $tenant AND u.subject = $subject`,
    { tenant, subject },
  );
  return row ? toUser(row) : undefined;
}

/** Refuses role names the tenant does not define, naming the first unknown one. */
async function checkRolesExist(sql: Sql, tenant: string, roles: readonly string[]): Promise<void> {
  for (const role of new Set(roles)) {
    const found = await sql.one('SELECT 1 AS found FROM roles WHERE tenant = $tenant AND name = $role', {
      tenant,
      role,
    });
    if (!found) throw TributaryError.invalid(`role "${role}" does not exist`);
  }
}

async function assignRoles(
  sql: Sql,
  tenant: string,
  userId: string,
  roles: readonly string[],
): Promise<void> {
  for (const role of new Set(roles)) {
    await sql.run(
      `INSERT INTO role_assignments (tenant, user_id, role) VALUES ($tenant, $userId, $role)
       ON CONFLICT DO NOTHING`,
      { tenant, userId, role },
    );
  }
}

export class DuckDbUsers implements UserRepository {
  constructor(
    private readonly db: StoreDatabase,
    private readonly clock: () => number,
  ) {}

  create(tenant: string, user: NewUser): Promise<UserRecord> {
    return this.db.write(async (sql) => {
      if (await selectBySubject(sql, tenant, user.subject)) {
        throw new TributaryError('CONFLICT', `a user with subject "${user.subject}" already exists`);
      }
      await checkRolesExist(sql, tenant, user.roles ?? []);
      const id = newId('usr');
      const now = this.clock();
      await sql.run(
        `INSERT INTO users (tenant, id, subject, email, display_name, attributes, disabled, created_at, updated_at)
         VALUES ($tenant, $id, $subject, $email, $displayName, $attributes, $disabled,
                 epoch_ms($now::BIGINT), epoch_ms($now::BIGINT))`,
        {
          tenant,
          id,
          subject: user.subject,
          email: user.email ?? '',
          displayName: user.displayName ?? '',
          attributes: JSON.stringify(user.attributes ?? {}),
          disabled: user.disabled ?? false,
          now,
        },
      );
      await assignRoles(sql, tenant, id, user.roles ?? []);
      await sql.run('DELETE FROM deleted_subjects WHERE tenant = $tenant AND subject = $subject', {
        tenant,
        subject: user.subject,
      });
      return (await selectUser(sql, tenant, id)) as UserRecord;
    });
  }

  get(tenant: string, id: string): Promise<UserRecord | undefined> {
    return this.db.read((sql) => selectUser(sql, tenant, id));
  }

  findBySubject(tenant: string, subject: string): Promise<UserRecord | undefined> {
    return this.db.read((sql) => selectBySubject(sql, tenant, subject));
  }

  async isDeletedSubject(tenant: string, subject: string): Promise<boolean> {
    const row = await this.db.read((sql) =>
      sql.one('SELECT 1 AS deleted FROM deleted_subjects WHERE tenant = $tenant AND subject = $subject', {
        tenant,
        subject,
      }),
    );
    return row !== undefined;
  }

  async list(tenant: string, query: UserQuery): Promise<Page<UserRecord>> {
    const after = decodeStringCursor('users', query.cursor);
    const rows = await this.db.read((sql) =>
      sql.all(
        `SELECT ${USER_COLUMNS} FROM users u
         WHERE u.tenant = $tenant
           AND ($after::VARCHAR IS NULL OR u.id > $after::VARCHAR)
           AND ($filter::VARCHAR IS NULL
                OR contains(lower(u.subject), $filter::VARCHAR)
                OR contains(lower(u.email), $filter::VARCHAR)
                OR contains(lower(u.display_name), $filter::VARCHAR))
           AND ($role::VARCHAR IS NULL OR EXISTS (
                SELECT 1 FROM role_assignments r
                WHERE r.tenant = u.tenant AND r.user_id = u.id AND r.role = $role::VARCHAR))
         ORDER BY u.id
         LIMIT $limit::BIGINT`,
        {
          tenant,
          after: after ?? null,
          filter: query.filter ? query.filter.toLowerCase() : null,
          role: query.role || null,
          // One more than asked tells whether another page exists.
          limit: query.limit + 1,
        },
      ),
    );
    const items = rows.slice(0, query.limit).map(toUser);
    const last = items.at(-1);
    return rows.length > query.limit && last
      ? { items, nextCursor: encodeCursor('users', last.id) }
      : { items };
  }

  update(tenant: string, id: string, change: UserChange): Promise<UserRecord> {
    return this.db.write(async (sql) => {
      const user = await selectUser(sql, tenant, id);
      if (!user) throw TributaryError.notFound(`user ${id} not found`);
      await checkRolesExist(sql, tenant, change.addRoles ?? []);
      const attributes = { ...user.attributes, ...change.setAttributes };
      for (const key of change.removeAttributes ?? []) delete attributes[key];
      await sql.run(
        `UPDATE users SET email = $email, display_name = $displayName, disabled = $disabled,
           attributes = $attributes, updated_at = epoch_ms($now::BIGINT)
         WHERE tenant = $tenant AND id = $id`,
        {
          tenant,
          id,
          email: change.email ?? user.email,
          displayName: change.displayName ?? user.displayName,
          disabled: change.disabled ?? user.disabled,
          attributes: JSON.stringify(attributes),
          now: this.clock(),
        },
      );
      await assignRoles(sql, tenant, id, change.addRoles ?? []);
      for (const role of change.removeRoles ?? []) {
        await sql.run(
          'DELETE FROM role_assignments WHERE tenant = $tenant AND user_id = $id AND role = $role',
          {
            tenant,
            id,
            role,
          },
        );
      }
      return (await selectUser(sql, tenant, id)) as UserRecord;
    });
  }

  delete(tenant: string, id: string): Promise<{ user: UserRecord; revokedKeys: number } | undefined> {
    return this.db.write(async (sql) => {
      const user = await selectUser(sql, tenant, id);
      if (!user) return undefined;
      // The keys' secrets go too, so no later check can find them.
      await sql.run(
        `DELETE FROM api_key_secrets WHERE tenant = $tenant
           AND key_id IN (SELECT id FROM api_keys WHERE tenant = $tenant AND owner_user_id = $id)`,
        { tenant, id },
      );
      const revokedKeys = await sql.run(
        `UPDATE api_keys SET revoked_at = epoch_ms($now::BIGINT)
         WHERE tenant = $tenant AND owner_user_id = $id AND revoked_at IS NULL`,
        { tenant, id, now: this.clock() },
      );
      await sql.run('DELETE FROM role_assignments WHERE tenant = $tenant AND user_id = $id', { tenant, id });
      await sql.run('DELETE FROM group_members WHERE tenant = $tenant AND user_id = $id', { tenant, id });
      await sql.run('DELETE FROM users WHERE tenant = $tenant AND id = $id', { tenant, id });
      await sql.run(
        `INSERT INTO deleted_subjects (tenant, subject, deleted_at) VALUES ($tenant, $subject, epoch_ms($now::BIGINT))
         ON CONFLICT DO UPDATE SET deleted_at = excluded.deleted_at`,
        { tenant, subject: user.subject, now: this.clock() },
      );
      return { user, revokedKeys };
    });
  }
}
