import { decodeNumberCursor, encodeCursor } from '../cursor.js';
import type { AuditEntry, AuditQuery, AuditRecord, Page } from '../records.js';
import type { AuditRepository } from '../store.js';
import { json, millis, optionalText, text } from './columns.js';
import type { Row, SqlParams, StoreDatabase } from './database.js';

// The columns an admin filters on are columns; the rest of an entry is JSON in
// `detail`. A query entry keeps its query id in `target` and its decision in
// `decision`; an admin entry its action and target. The trace id lives in
// `detail`, so records written before it existed read back without one.

function toParams(entry: AuditEntry): SqlParams {
  const common = {
    tenant: entry.tenant,
    at: entry.time,
    kind: entry.kind,
    requestId: entry.requestId,
    subject: entry.subject,
    keyId: entry.keyId ?? null,
  };
  if (entry.kind === 'admin') {
    return {
      ...common,
      action: entry.action,
      target: entry.target,
      decision: null,
      detail: JSON.stringify({ before: entry.before, after: entry.after, traceId: entry.traceId }),
    };
  }
  const { kind, time, requestId, tenant, subject, keyId, queryId, decision, ...detail } = entry;
  return { ...common, action: 'query', target: queryId, decision, detail: JSON.stringify(detail) };
}

function toRecord(row: Row): AuditRecord {
  const common = {
    id: String(row.seq),
    time: millis(row.recorded_at),
    requestId: text(row.request_id),
    tenant: text(row.tenant),
    subject: text(row.subject),
    keyId: optionalText(row.key_id),
  };
  if (row.kind === 'admin') {
    const detail = json<{ before?: unknown; after?: unknown; traceId?: string }>(row.detail, {});
    return {
      ...common,
      ...(detail.traceId ? { traceId: detail.traceId } : {}),
      kind: 'admin',
      action: text(row.action),
      target: text(row.target),
      before: detail.before,
      after: detail.after,
    };
  }
  const detail = json<Record<string, unknown>>(row.detail, {});
  return {
    protocol: '',
    sql: '',
    tables: [],
    columns: [],
    durationMs: 0,
    ...detail,
    ...common,
    kind: 'query',
    queryId: text(row.target),
    decision: text(row.decision) as 'allowed' | 'refused' | 'failed',
  };
}

export class DuckDbAudit implements AuditRepository {
  constructor(private readonly db: StoreDatabase) {}

  async append(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db.write(
      (sql) =>
        sql.runMany(
          `INSERT INTO audit_log (tenant, recorded_at, kind, request_id, subject, key_id, action, target, decision, detail)
         VALUES ($tenant, epoch_ms($at::BIGINT), $kind, $requestId, $subject, $keyId, $action, $target, $decision, $detail)`,
          entries.map(toParams),
        ),
      // The audit log is append-only and nothing caches it.
      { quiet: true },
    );
  }

  async list(tenant: string, query: AuditQuery): Promise<Page<AuditRecord>> {
    const before = decodeNumberCursor('audit', query.cursor);
    const rows = await this.db.read((sql) =>
      sql.all(
        `SELECT * FROM audit_log
         WHERE tenant = $tenant
           AND ($before::BIGINT IS NULL OR seq < $before::BIGINT)
           AND ($from::BIGINT IS NULL OR recorded_at >= epoch_ms($from::BIGINT))
           AND ($to::BIGINT IS NULL OR recorded_at < epoch_ms($to::BIGINT))
           AND ($subject::VARCHAR IS NULL OR subject = $subject::VARCHAR)
           AND ($kind::VARCHAR IS NULL OR kind = $kind::VARCHAR)
         ORDER BY seq DESC
         LIMIT $limit::BIGINT`,
        {
          tenant,
          before: before ?? null,
          from: query.from ?? null,
          to: query.to ?? null,
          subject: query.subject || null,
          kind: query.kind ?? null,
          limit: query.limit + 1,
        },
      ),
    );
    const items = rows.slice(0, query.limit).map(toRecord);
    const last = items.at(-1);
    return rows.length > query.limit && last
      ? { items, nextCursor: encodeCursor('audit', Number(last.id)) }
      : { items };
  }
}
