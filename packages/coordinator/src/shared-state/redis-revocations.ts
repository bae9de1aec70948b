import type { Logger } from '@tributary/core';
import type { Redis } from 'ioredis';
import { LocalRevocations, MAX_REVOCATION_MS, type Revocation, type RevocationList } from './revocations.js';

const KEY = 'revocations';
/** How often the mirror is read again in full, besides the announcements. */
export const REVOCATION_SYNC_MS = 1_000;

type Change = { add: Revocation } | { restoreUser: { tenant: string; subject: string } };

/**
 * The revocation list in Redis: one sorted set of entries scored by expiry
 * (expired ones are trimmed on every sync). Authentication reads only the
 * local mirror, which is replaced by the full set every REVOCATION_SYNC_MS
 * and whenever a replica announces a change. While Redis is unreachable the
 * mirror is kept as it is — an outage never un-revokes anything — and local
 * changes are applied at once and written when Redis is back.
 */
export class RedisRevocationList implements RevocationList {
  private mirror: LocalRevocations;
  private readonly unwritten = new Set<Change>();
  /** Changes made while a sync is reading, re-applied over what it read. */
  private duringSync: Change[] | undefined;
  private syncing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private subscribed = false;

  constructor(
    private readonly client: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.mirror = new LocalRevocations(clock);
  }

  start(): void {
    if (!this.subscribed) {
      this.subscribed = true;
      this.subscriber.subscribe(this.channel).catch(() => undefined);
    }
    this.timer ??= setInterval(() => void this.sync(), REVOCATION_SYNC_MS);
    this.timer.unref();
    void this.sync();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  deliver(channel: string, _message: string): void {
    if (channel === this.channel) void this.sync();
  }

  async add(entry: Revocation): Promise<void> {
    await this.change({ add: entry });
  }

  async restoreUser(tenant: string, subject: string): Promise<void> {
    await this.change({ restoreUser: { tenant, subject } });
  }

  isKeyRevoked(tenant: string, keyId: string): boolean {
    return this.mirror.isKeyRevoked(tenant, keyId);
  }

  isUserRevoked(tenant: string, subject: string): boolean {
    return this.mirror.isUserRevoked(tenant, subject);
  }

  isTokenRevoked(
    tenant: string,
    subject: string,
    jti: string | undefined,
    issuedAt: number | undefined,
  ): boolean {
    return this.mirror.isTokenRevoked(tenant, subject, jti, issuedAt);
  }

  /** Reads the shared list into the mirror; on failure the mirror stays as it was. */
  sync(): Promise<void> {
    this.syncing ??= this.readAll().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async change(change: Change): Promise<void> {
    applyTo(this.mirror, change);
    this.duringSync?.push(change);
    this.unwritten.add(change);
    try {
      await this.write(change);
      this.unwritten.delete(change);
      await this.client.publish(this.channel, '1');
    } catch (error) {
      // Kept locally and written by a later sync; other replicas learn it then.
      this.logger.warn({ err: (error as Error).message }, 'revocation not yet shared: redis unreachable');
    }
  }

  private async write(change: Change): Promise<void> {
    if ('add' in change) {
      await this.client
        .multi()
        .zadd(KEY, change.add.expiresAt, member(change.add))
        .pexpire(KEY, MAX_REVOCATION_MS)
        .exec();
    } else {
      const { tenant, subject } = change.restoreUser;
      await this.client.zrem(KEY, JSON.stringify({ kind: 'user', tenant, subject }));
    }
  }

  private async readAll(): Promise<void> {
    const during: Change[] = [];
    this.duringSync = during;
    try {
      for (const change of [...this.unwritten]) {
        await this.write(change);
        this.unwritten.delete(change);
      }
      await this.client.zremrangebyscore(KEY, '-inf', this.clock());
      const raw = await this.client.zrange(KEY, 0, -1, 'WITHSCORES');
      const next = new LocalRevocations(this.clock);
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const entry = parse(raw[i] as string, Number(raw[i + 1]));
        if (entry) next.apply(entry);
      }
      for (const change of [...this.unwritten, ...during]) applyTo(next, change);
      this.mirror = next;
    } catch {
      // Unreachable: keep the mirror (fail closed for everything already known).
    } finally {
      this.duringSync = undefined;
    }
  }
}

function applyTo(list: LocalRevocations, change: Change): void {
  if ('add' in change) list.apply(change.add);
  else list.restoreUser(change.restoreUser.tenant, change.restoreUser.subject);
}

/**
 * The set member of an entry. Members of one entry are equal strings, so a
 * repeated revocation is one member; a "tokens before" cutoff is part of its
 * member, and the mirror keeps the latest of a subject's cutoffs.
 */
function member(entry: Revocation): string {
  switch (entry.kind) {
    case 'api_key':
      return JSON.stringify({ kind: entry.kind, tenant: entry.tenant, keyId: entry.keyId });
    case 'token':
      return JSON.stringify({ kind: entry.kind, tenant: entry.tenant, jti: entry.jti });
    case 'user':
      return JSON.stringify({ kind: entry.kind, tenant: entry.tenant, subject: entry.subject });
    case 'tokens_before':
      return JSON.stringify({
        kind: entry.kind,
        tenant: entry.tenant,
        subject: entry.subject,
        issuedBefore: entry.issuedBefore,
      });
  }
}

/** An entry as read back, with its expiry (the member's score). */
function parse(text: string, expiresAt: number): Revocation | undefined {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const tenant = value.tenant;
    if (typeof tenant !== 'string') return undefined;
    if (value.kind === 'api_key' && typeof value.keyId === 'string')
      return { kind: 'api_key', tenant, keyId: value.keyId, expiresAt };
    if (value.kind === 'token' && typeof value.jti === 'string')
      return { kind: 'token', tenant, jti: value.jti, expiresAt };
    if (value.kind === 'user' && typeof value.subject === 'string')
      return { kind: 'user', tenant, subject: value.subject, expiresAt };
    if (
      value.kind === 'tokens_before' &&
      typeof value.subject === 'string' &&
      typeof value.issuedBefore === 'number'
    )
      return {
        kind: 'tokens_before',
        tenant,
        subject: value.subject,
        issuedBefore: value.issuedBefore,
        expiresAt,
      };
    return undefined;
  } catch {
    return undefined;
  }
}
