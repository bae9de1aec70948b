import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { TributaryError } from '@tributary/core';
import type { Redis } from 'ioredis';
import { decodeStringCursor, encodeCursor } from '../store/cursor.js';
import type { Page } from '../store/index.js';
import type { QueryRunQuery, QueryRunStore } from './query-run-store.js';
import type { QueryRunChange, QueryRunRecord, QueryRunStatus } from './run-record.js';

const LISTING = 'query-runs';

/** Replaces the record only if it is still exactly what the caller read: compare-and-set. */
const COMPARE_AND_SET = `
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('set', KEYS[1], ARGV[2])
return 1
`;

type RedisWithCas = Redis & {
  runCompareAndSet(key: string, expected: string, next: string): Promise<number>;
};

/** Newest first is descending order of this text (the same order as the in-process store). */
function sortKey(record: Pick<QueryRunRecord, 'createdAt' | 'id'>): string {
  return `${String(record.createdAt).padStart(16, '0')}|${record.id}`;
}

const unavailable = (error: unknown) =>
  error instanceof TributaryError
    ? error
    : TributaryError.unavailable(`query runs are unreachable: ${(error as Error).message}`);

/**
 * Query runs in Redis, shared by every coordinator replica: `run:<id>`
 * holds the record as JSON, `runs:<tenant>` orders a tenant's runs (by
 * creation, newest first), `runs-expiry` schedules finished runs for removal.
 * Every transition is a compare-and-set of the whole record (a Lua script,
 * retried when another writer won), then announced on a channel, so a
 * cancel reaches whichever replica runs the query. Unlike limits and the
 * cache, runs have no local fallback: while Redis is unreachable they fail
 * with UNAVAILABLE.
 */
export class RedisQueryRunStore implements QueryRunStore {
  private readonly events = new EventEmitter();
  private readonly origin = randomUUID();
  private subscribed = false;
  private readonly client: RedisWithCas;

  constructor(
    client: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
  ) {
    this.client = client as RedisWithCas;
    if (typeof this.client.runCompareAndSet !== 'function') {
      this.client.defineCommand('runCompareAndSet', { numberOfKeys: 1, lua: COMPARE_AND_SET });
    }
  }

  /** Delivers an announcement received on the shared channel. */
  deliver(channel: string, message: string): void {
    if (channel !== this.channel) return;
    try {
      const { origin, record } = JSON.parse(message) as { origin: string; record: QueryRunRecord };
      if (origin !== this.origin) this.events.emit('change', record);
    } catch {
      // Not ours.
    }
  }

  async create(record: QueryRunRecord): Promise<void> {
    try {
      const created = await this.client.set(`run:${record.id}`, JSON.stringify(record), 'NX');
      if (created !== 'OK') throw new Error(`query run ${record.id} exists`);
      await this.client.zadd(`runs:${record.tenant}`, 0, sortKey(record));
    } catch (error) {
      throw unavailable(error);
    }
  }

  async get(id: string): Promise<QueryRunRecord | undefined> {
    try {
      const raw = await this.client.get(`run:${id}`);
      return raw ? (JSON.parse(raw) as QueryRunRecord) : undefined;
    } catch (error) {
      throw unavailable(error);
    }
  }

  async transition(
    id: string,
    from: readonly QueryRunStatus[],
    change: QueryRunChange,
  ): Promise<QueryRunRecord | undefined> {
    try {
      for (;;) {
        const raw = await this.client.get(`run:${id}`);
        if (!raw) return undefined;
        const current = JSON.parse(raw) as QueryRunRecord;
        if (!from.includes(current.status)) return undefined;
        const next: QueryRunRecord = { ...current, ...structuredClone(change) };
        const text = JSON.stringify(next);
        if ((await this.client.runCompareAndSet(`run:${id}`, raw, text)) !== 1) continue;
        if (next.expiresAt !== undefined) await this.client.zadd('runs-expiry', next.expiresAt, id);
        this.events.emit('change', structuredClone(next));
        await this.client
          .publish(this.channel, JSON.stringify({ origin: this.origin, record: next }))
          .catch(() => undefined);
        return next;
      }
    } catch (error) {
      throw unavailable(error);
    }
  }

  async list(tenant: string, query: QueryRunQuery): Promise<Page<QueryRunRecord>> {
    const after = decodeStringCursor(LISTING, query.cursor);
    const wanted = query.limit + 1;
    const items: QueryRunRecord[] = [];
    let max = after === undefined ? '+' : `(${after}`;
    const batch = Math.max(50, wanted);
    try {
      while (items.length < wanted) {
        const keys = await this.client.zrevrangebylex(`runs:${tenant}`, max, '-', 'LIMIT', 0, batch);
        if (keys.length === 0) break;
        const raws = await this.client.mget(keys.map((key) => `run:${key.slice(key.indexOf('|') + 1)}`));
        for (const raw of raws) {
          if (!raw) continue;
          const run = JSON.parse(raw) as QueryRunRecord;
          if (query.owner !== undefined && run.owner !== query.owner) continue;
          if (query.status !== undefined && run.status !== query.status) continue;
          items.push(run);
          if (items.length === wanted) break;
        }
        max = `(${keys.at(-1)}`;
        if (keys.length < batch) break;
      }
    } catch (error) {
      throw unavailable(error);
    }
    const page = items.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page,
      nextCursor: items.length > query.limit && last ? encodeCursor(LISTING, sortKey(last)) : undefined,
    };
  }

  async expired(now: number): Promise<string[]> {
    try {
      return await this.client.zrangebyscore('runs-expiry', '-inf', now);
    } catch (error) {
      throw unavailable(error);
    }
  }

  async delete(id: string): Promise<void> {
    try {
      const record = await this.get(id);
      const multi = this.client.multi().del(`run:${id}`).zrem('runs-expiry', id);
      if (record) multi.zrem(`runs:${record.tenant}`, sortKey(record));
      await multi.exec();
    } catch (error) {
      throw unavailable(error);
    }
  }

  watch(listener: (record: QueryRunRecord) => void): () => void {
    this.events.on('change', listener);
    if (!this.subscribed) {
      this.subscribed = true;
      this.subscriber.subscribe(this.channel).catch(() => undefined);
    }
    return () => this.events.off('change', listener);
  }
}
