import { TributaryError } from '@tributary/core';
import { decodeNumberCursor, decodeStringCursor, encodeCursor } from '../cursor.js';
import type {
  Page,
  SavedQueryContent,
  SavedQueryParameter,
  SavedQueryQuery,
  SavedQueryRecord,
  SavedQueryVersionRecord,
} from '../records.js';
import type { SavedQueryRepository } from '../store.js';
import { json, millis, text } from './columns.js';
import type { Row, Sql, StoreDatabase } from './database.js';

// A saved query's row and its current version's row, joined.
const CURRENT = `SELECT q.tenant, q.id, q.owner, q.current_version, q.created_at, q.updated_at,
  v.name, v.description, v.sql, v.parameters
  FROM saved_queries q JOIN saved_query_versions v
    ON v.tenant = q.tenant AND v.query_id = q.id AND v.version = q.current_version`;

function content(row: Row): SavedQueryContent {
  return {
    name: text(row.name),
    description: text(row.description),
    sql: text(row.sql),
    parameters: json<SavedQueryParameter[]>(row.parameters, []),
  };
}

function toQuery(row: Row): SavedQueryRecord {
  return {
    ...content(row),
    tenant: text(row.tenant),
    id: text(row.id),
    owner: text(row.owner),
    version: Number(row.current_version),
    createdAt: millis(row.created_at),
    updatedAt: millis(row.updated_at),
  };
}

function toVersion(row: Row): SavedQueryVersionRecord {
  return {
    ...content(row),
    tenant: text(row.tenant),
    queryId: text(row.query_id),
    version: Number(row.version),
    author: text(row.author),
    comment: text(row.comment),
    createdAt: millis(row.created_at),
  };
}

async function selectQuery(sql: Sql, tenant: string, id: string): Promise<SavedQueryRecord | undefined> {
  const row = await sql.one(`${CURRENT} WHERE q.tenant = $tenant AND q.id = $id`, { tenant, id });
  return row ? toQuery(row) : undefined;
}

async function requireNameFree(sql: Sql, tenant: string, name: string, except?: string): Promise<void> {
  const taken = await sql.one(
    `SELECT q.id FROM saved_queries q
     WHERE q.tenant = $tenant AND q.name = $name AND ($except::VARCHAR IS NULL OR q.id <> $except::VARCHAR)`,
    { tenant, name, except: except ?? null },
  );
  if (taken) throw new TributaryError('CONFLICT', `a saved query named "${name}" already exists`);
}

async function insertVersion(
  sql: Sql,
  tenant: string,
  id: string,
  version: number,
  value: SavedQueryContent & { author: string; comment: string },
  now: number,
): Promise<void> {
  await sql.run(
    `INSERT INTO saved_query_versions
       (tenant, query_id, version, name, description, sql, parameters, author, comment, created_at)
     VALUES ($tenant, $id, $version, $name, $description, $sql, $parameters, $author, $comment,
             epoch_ms($now::BIGINT))`,
    {
      tenant,
      id,
      version,
      name: value.name,
      description: value.description,
      sql: value.sql,
      parameters: JSON.stringify(value.parameters),
      author: value.author,
      comment: value.comment,
      now,
    },
  );
}

export class DuckDbSavedQueries implements SavedQueryRepository {
  constructor(
    private readonly db: StoreDatabase,
    private readonly clock: () => number,
  ) {}

  create(
    tenant: string,
    query: { id: string; owner: string; comment: string } & SavedQueryContent,
  ): Promise<SavedQueryRecord> {
    return this.db.write(async (sql) => {
      await requireNameFree(sql, tenant, query.name);
      const now = this.clock();
      await sql.run(
        `INSERT INTO saved_queries (tenant, id, name, description, owner, current_version, created_at, updated_at)
         VALUES ($tenant, $id, $name, $description, $owner, 1, epoch_ms($now::BIGINT), epoch_ms($now::BIGINT))`,
        { tenant, id: query.id, name: query.name, description: query.description, owner: query.owner, now },
      );
      await insertVersion(sql, tenant, query.id, 1, { ...query, author: query.owner }, now);
      return (await selectQuery(sql, tenant, query.id)) as SavedQueryRecord;
    });
  }

  get(tenant: string, id: string): Promise<SavedQueryRecord | undefined> {
    return this.db.read((sql) => selectQuery(sql, tenant, id));
  }

  async list(tenant: string, query: SavedQueryQuery): Promise<Page<SavedQueryRecord>> {
    const after = decodeStringCursor('saved_queries', query.cursor);
    const rows = await this.db.read((sql) =>
      sql.all(
        `${CURRENT}
         WHERE q.tenant = $tenant
           AND ($after::VARCHAR IS NULL OR v.name > $after::VARCHAR)
           AND ($filter::VARCHAR IS NULL
                OR contains(lower(v.name), $filter::VARCHAR)
                OR contains(lower(v.description), $filter::VARCHAR))
         ORDER BY v.name
         LIMIT $limit::BIGINT`,
        {
          tenant,
          after: after ?? null,
          filter: query.filter ? query.filter.toLowerCase() : null,
          limit: query.limit + 1,
        },
      ),
    );
    const items = rows.slice(0, query.limit).map(toQuery);
    const last = items.at(-1);
    return rows.length > query.limit && last
      ? { items, nextCursor: encodeCursor('saved_queries', last.name) }
      : { items };
  }

  addVersion(
    tenant: string,
    id: string,
    version: SavedQueryContent & { author: string; comment: string; expectedVersion?: number },
  ): Promise<SavedQueryRecord> {
    return this.db.write(async (sql) => {
      const current = await selectQuery(sql, tenant, id);
      if (!current) throw TributaryError.notFound(`saved query ${id} not found`);
      if (version.expectedVersion !== undefined && version.expectedVersion !== current.version) {
        throw new TributaryError(
          'CONFLICT',
          `saved query ${id} is at version ${current.version}, not ${version.expectedVersion}`,
          { current_version: current.version },
        );
      }
      await requireNameFree(sql, tenant, version.name, id);
      const now = this.clock();
      const next = current.version + 1;
      await insertVersion(sql, tenant, id, next, version, now);
      await sql.run(
        `UPDATE saved_queries SET name = $name, description = $description, current_version = $next,
           updated_at = epoch_ms($now::BIGINT)
         WHERE tenant = $tenant AND id = $id`,
        { tenant, id, name: version.name, description: version.description, next, now },
      );
      return (await selectQuery(sql, tenant, id)) as SavedQueryRecord;
    });
  }

  async getVersion(
    tenant: string,
    id: string,
    version: number,
  ): Promise<SavedQueryVersionRecord | undefined> {
    const row = await this.db.read((sql) =>
      sql.one(
        'SELECT * FROM saved_query_versions WHERE tenant = $tenant AND query_id = $id AND version = $version',
        { tenant, id, version },
      ),
    );
    return row ? toVersion(row) : undefined;
  }

  async listVersions(
    tenant: string,
    id: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<SavedQueryVersionRecord>> {
    const before = decodeNumberCursor(`saved_query_versions:${id}`, query.cursor);
    const rows = await this.db.read((sql) =>
      sql.all(
        `SELECT * FROM saved_query_versions
         WHERE tenant = $tenant AND query_id = $id AND ($before::INTEGER IS NULL OR version < $before::INTEGER)
         ORDER BY version DESC
         LIMIT $limit::BIGINT`,
        { tenant, id, before: before ?? null, limit: query.limit + 1 },
      ),
    );
    const items = rows.slice(0, query.limit).map(toVersion);
    const last = items.at(-1);
    return rows.length > query.limit && last
      ? { items, nextCursor: encodeCursor(`saved_query_versions:${id}`, last.version) }
      : { items };
  }

  delete(tenant: string, id: string): Promise<SavedQueryRecord | undefined> {
    return this.db.write(async (sql) => {
      const query = await selectQuery(sql, tenant, id);
      if (!query) return undefined;
      await sql.run('DELETE FROM saved_query_versions WHERE tenant = $tenant AND query_id = $id', {
        tenant,
        id,
      });
      await sql.run('DELETE FROM saved_queries WHERE tenant = $tenant AND id = $id', { tenant, id });
      return query;
    });
  }
}
