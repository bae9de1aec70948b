import { decodeStringCursor, encodeCursor } from '../store/cursor.js';
import type { Page } from '../store/index.js';
import type { QueryRunQuery, QueryRunStore } from './query-run-store.js';
import type { QueryRunChange, QueryRunRecord, QueryRunStatus } from './run-record.js';

const LISTING = 'query-runs';

/** Sort key of a run: newest first means descending order of this text. */
function sortKey(record: QueryRunRecord): string {
  return `${String(record.createdAt).padStart(16, '0')}|${record.id}`;
}

/**
 * Runs held in this process's memory: one coordinator, nothing kept across
 * a restart (the results directory is swept of unknown files at start).
 * Records are copied in and out, so callers never share a mutable object.
 */
export class InProcessQueryRunStore implements QueryRunStore {
  private readonly runs = new Map<string, QueryRunRecord>();
  private readonly listeners = new Set<(record: QueryRunRecord) => void>();

  async create(record: QueryRunRecord): Promise<void> {
    if (this.runs.has(record.id)) throw new Error(`query run ${record.id} exists`);
    this.runs.set(record.id, structuredClone(record));
  }

  async get(id: string): Promise<QueryRunRecord | undefined> {
    const record = this.runs.get(id);
    return record && structuredClone(record);
  }

  async transition(
    id: string,
    from: readonly QueryRunStatus[],
    change: QueryRunChange,
  ): Promise<QueryRunRecord | undefined> {
    const current = this.runs.get(id);
    if (!current || !from.includes(current.status)) return undefined;
    const next = { ...current, ...structuredClone(change) };
    this.runs.set(id, next);
    for (const listener of this.listeners) listener(structuredClone(next));
    return structuredClone(next);
  }

  async list(tenant: string, query: QueryRunQuery): Promise<Page<QueryRunRecord>> {
    const after = decodeStringCursor(LISTING, query.cursor);
    const matching = [...this.runs.values()]
      .filter(
        (run) =>
          run.tenant === tenant &&
          (query.owner === undefined || run.owner === query.owner) &&
          (query.status === undefined || run.status === query.status) &&
          (after === undefined || sortKey(run) < after),
      )
      .sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : -1));
    const items = matching.slice(0, query.limit).map((run) => structuredClone(run));
    const last = items.at(-1);
    return {
      items,
      nextCursor: matching.length > query.limit && last ? encodeCursor(LISTING, sortKey(last)) : undefined,
    };
  }

  async expired(now: number): Promise<string[]> {
    return [...this.runs.values()]
      .filter((run) => run.expiresAt !== undefined && run.expiresAt <= now)
      .map((run) => run.id);
  }

  async delete(id: string): Promise<void> {
    this.runs.delete(id);
  }

  watch(listener: (record: QueryRunRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
