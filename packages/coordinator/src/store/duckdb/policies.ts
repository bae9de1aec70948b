import { TributaryError } from '@tributary/core';
import { decodeNumberCursor, encodeCursor } from '../cursor.js';
import type { NewPolicyVersion, Page, PolicyVersionRecord, PolicyVersionSummary } from '../records.js';
import type { PolicyRepository } from '../store.js';
import { millis, text } from './columns.js';
import type { Row, StoreDatabase } from './database.js';

function toSummary(row: Row): PolicyVersionSummary {
  return {
    tenant: text(row.tenant),
    version: Number(row.version),
    author: text(row.author),
    comment: text(row.comment),
    createdAt: millis(row.created_at),
  };
}

function toVersion(row: Row): PolicyVersionRecord {
  return { ...toSummary(row), document: text(row.document) };
}

export class DuckDbPolicies implements PolicyRepository {
  constructor(
    private readonly db: StoreDatabase,
    private readonly clock: () => number,
  ) {}

  async current(tenant: string): Promise<PolicyVersionRecord | undefined> {
    const row = await this.db.read((sql) =>
      sql.one('SELECT * FROM policy_versions WHERE tenant = $tenant ORDER BY version DESC LIMIT 1', {
        tenant,
      }),
    );
    return row ? toVersion(row) : undefined;
  }

  async get(tenant: string, version: number): Promise<PolicyVersionRecord | undefined> {
    const row = await this.db.read((sql) =>
      sql.one('SELECT * FROM policy_versions WHERE tenant = $tenant AND version = $version', {
        tenant,
        version,
      }),
    );
    return row ? toVersion(row) : undefined;
  }

  async listVersions(
    tenant: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<PolicyVersionSummary>> {
    const before = decodeNumberCursor('policy_versions', query.cursor);
    const rows = await this.db.read((sql) =>
      sql.all(
        `SELECT tenant, version, author, comment, created_at FROM policy_versions
         WHERE tenant = $tenant AND ($before::INTEGER IS NULL OR version < $before::INTEGER)
         ORDER BY version DESC
         LIMIT $limit::BIGINT`,
        { tenant, before: before ?? null, limit: query.limit + 1 },
      ),
    );
    const items = rows.slice(0, query.limit).map(toSummary);
    const last = items.at(-1);
    return rows.length > query.limit && last
      ? { items, nextCursor: encodeCursor('policy_versions', last.version) }
      : { items };
  }

  publish(tenant: string, next: NewPolicyVersion): Promise<PolicyVersionRecord> {
    return this.db.write(async (sql) => {
      // Read and insert under the single writer, so two publishers from the
      // same version cannot both succeed.
      const row = await sql.one(
        'SELECT max(version) AS version FROM policy_versions WHERE tenant = $tenant',
        {
          tenant,
        },
      );
      const current = row?.version === null || row?.version === undefined ? 0 : Number(row.version);
      if (current !== next.expectedVersion) {
        throw new TributaryError(
          'CONFLICT',
          `the policy document is at version ${current}, not ${next.expectedVersion}: reload it and apply the change again`,
          { current_version: current },
        );
      }
      const version = current + 1;
      await sql.run(
        `INSERT INTO policy_versions (tenant, version, document, author, comment, created_at)
         VALUES ($tenant, $version, $document, $author, $comment, epoch_ms($now::BIGINT))`,
        {
          tenant,
          version,
          document: next.document,
          author: next.author,
          comment: next.comment,
          now: this.clock(),
        },
      );
      const stored = await sql.one(
        'SELECT * FROM policy_versions WHERE tenant = $tenant AND version = $version',
        {
          tenant,
          version,
        },
      );
      return toVersion(stored as Row);
    });
  }
}
