import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from '@tributary/core';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { RedisQueryRunStore } from '../runs/redis-run-store.js';
import { MemoryBlobCache, MemoryRequestWindow, MemorySlotPool, settle, windowState } from './memory-state.js';
import { RedisRevocationList } from './redis-revocations.js';
import type {
  BlobCache,
  EdgeChange,
  EdgeDirectory,
  EdgeRecord,
  RequestWindow,
  SharedSettings,
  SharedState,
  SharedStateHealth,
  SlotGrant,
  SlotPool,
  WindowState,
} from './shared-state.js';

export interface RedisStateOptions {
  url: string;
  /** Prepended to every key and channel, so several deployments can share one Redis. */
  keyPrefix: string;
  /** A command that takes longer fails, and the local fallback answers instead. */
  commandTimeoutMs: number;
  /** How long start-up waits for Redis before serving with local fallbacks. */
  connectTimeoutMs: number;
  /** Bytes the local fallback cache may hold while Redis is unreachable. */
  maxFallbackBlobBytes: number;
  logger: Logger;
}

/** Atomic: drop expired leases, count, and take a slot if one is free. Time is Redis's, so replicas agree. */
const ACQUIRE_SLOT = `
local t = redis.call('time')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('zremrangebyscore', KEYS[1], '-inf', now)
local held = redis.call('zcard', KEYS[1])
if held >= tonumber(ARGV[1]) then return {0, held} end
local lease = tonumber(ARGV[2])
redis.call('zadd', KEYS[1], now + lease, ARGV[3])
if redis.call('pttl', KEYS[1]) < lease then redis.call('pexpire', KEYS[1], lease) end
return {1, held + 1}
`;

type RedisWithScripts = Redis & {
  acquireSlot(key: string, limit: number, leaseMs: number, member: string): Promise<[number, number]>;
};

/**
 * Shared state in Redis, for coordinators running as several replicas.
 * Commands fail fast rather than queue while Redis is unreachable (no
 * offline queue, a command timeout), and every piece that must keep
 * working then falls back to this process: rate limits count locally, the
 * result cache keeps entries locally, the edge registry keeps what it knows.
 * Readiness reports the outage; ioredis reconnects on its own.
 */
export class RedisState implements SharedState {
  readonly slots: SlotPool;
  readonly blobs: BlobCache;
  readonly edges: RedisEdgeDirectory;
  readonly settings: RedisSettings;
  readonly runs: RedisQueryRunStore;
  readonly revocations: RedisRevocationList;
  private readonly client: RedisWithScripts;
  private readonly subscriber: Redis;
  private readonly windows = new Map<string, RequestWindow>();
  private readonly reconnectListeners: (() => void)[] = [];
  private lastError = '';
  private wasReady = false;
  private closed = false;

  private constructor(options: RedisStateOptions) {
    const common = {
      keyPrefix: options.keyPrefix,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: Math.max(1_000, options.connectTimeoutMs),
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 5), 2_000),
      lazyConnect: true,
    };
    this.client = new Redis(options.url, { ...common, enableOfflineQueue: false }) as RedisWithScripts;
    this.client.defineCommand('acquireSlot', { numberOfKeys: 1, lua: ACQUIRE_SLOT });
    // The subscriber queues its SUBSCRIBEs until connected and re-subscribes after a reconnect.
    this.subscriber = new Redis(options.url, { ...common, keyPrefix: undefined, commandTimeout: undefined });
    const onError = (error: Error) => {
      if (error.message !== this.lastError) options.logger.warn({ err: error.message }, 'redis unreachable');
      this.lastError = error.message;
    };
    this.client.on('error', onError);
    this.subscriber.on('error', () => undefined);
    this.client.on('ready', () => {
      const recovered = this.wasReady;
      this.wasReady = true;
      this.lastError = '';
      if (recovered) {
        options.logger.info('redis reachable again');
        for (const listener of this.reconnectListeners) listener();
      }
    });
    this.client.on('close', () => {
      if (!this.closed && this.wasReady)
        options.logger.warn('redis connection lost; serving with local state');
    });
    const channel = (topic: string) => `${options.keyPrefix}${topic}`;
    this.slots = new RedisSlotPool(this.client, options.logger);
    this.blobs = new RedisBlobCache(this.client, new MemoryBlobCache(options.maxFallbackBlobBytes));
    this.edges = new RedisEdgeDirectory(this.client, this.subscriber, channel('edges'));
    this.settings = new RedisSettings(this.client, this.subscriber, channel);
    this.runs = new RedisQueryRunStore(this.client, this.subscriber, channel('runs'));
    this.revocations = new RedisRevocationList(
      this.client,
      this.subscriber,
      channel('revocations'),
      options.logger,
    );
    this.subscriber.on('messageBuffer', (channelName: Buffer, message: Buffer) => {
      const name = channelName.toString('utf8');
      this.edges.deliver(name, message.toString('utf8'));
      this.settings.deliver(name, message.toString('utf8'));
      this.runs.deliver(name, message.toString('utf8'));
      this.revocations.deliver(name, message.toString('utf8'));
    });
  }

  static async connect(options: RedisStateOptions): Promise<RedisState> {
    const state = new RedisState(options);
    state.subscriber.connect().catch(() => undefined);
    const ready = state.client.connect().then(
      () => true,
      () => false,
    );
    const timeout = new Promise<boolean>((resolve) =>
      setTimeout(() => resolve(false), options.connectTimeoutMs).unref(),
    );
    if (!(await Promise.race([ready, timeout]))) {
      options.logger.warn(
        { url: redactUrl(options.url) },
        'redis is not reachable; serving with local state until it is',
      );
    }
    // connect() gives up after its first failure; keep trying in the background.
    if (state.client.status === 'end' || state.client.status === 'wait') {
      state.client.connect().catch(() => undefined);
    }
    // Only now: a command sent earlier would start the lazy connection itself and fail connect().
    state.revocations.start();
    return state;
  }

  get redis(): Redis {
    return this.client;
  }

  requestWindow(name: string, limit: number, windowMs: number): RequestWindow {
    const id = `${name}\u0000${limit}\u0000${windowMs}`;
    let window = this.windows.get(id);
    if (!window) {
      window = new RedisRequestWindow(this.client, name, limit, windowMs);
      this.windows.set(id, window);
    }
    return window;
  }

  health(): SharedStateHealth {
    const ok = this.client.status === 'ready';
    return {
      ok,
      backend: 'redis',
      detail: ok ? 'connected' : `${this.client.status}${this.lastError ? `: ${this.lastError}` : ''}`,
    };
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.revocations.stop();
    this.client.disconnect();
    this.subscriber.disconnect();
  }
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis';
  }
}

/**
 * rate-limiter-flexible's Redis limiter (an atomic Lua increment, sent with
 * EVALSHA) with its in-memory "insurance" limiter answering while Redis
 * cannot.
 */
class RedisRequestWindow implements RequestWindow {
  private readonly limiter: RateLimiterRedis;

  constructor(
    client: Redis,
    name: string,
    private readonly limit: number,
    windowMs: number,
  ) {
    const duration = Math.max(1, Math.ceil(windowMs / 1000));
    this.limiter = new RateLimiterRedis({
      storeClient: client,
      keyPrefix: `rl:${name}`,
      points: limit,
      duration,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new MemoryRequestWindow(limit, windowMs).memoryLimiter,
    });
  }

  async consume(key: string): Promise<WindowState> {
    return windowState(this.limit, await settle(this.limiter.consume(key)));
  }
}

class RedisSlotPool implements SlotPool {
  private readonly local = new MemorySlotPool();
  /** Releases Redis could not take; sent again once it is back. */
  private readonly pending = new Map<string, string>();

  constructor(
    private readonly client: RedisWithScripts,
    private readonly logger: Logger,
  ) {
    client.on('ready', () => {
      for (const [member, key] of this.pending) {
        this.client.zrem(key, member).then(
          () => this.pending.delete(member),
          () => undefined,
        );
      }
    });
  }

  async acquire(key: string, limit: number, leaseMs: number): Promise<SlotGrant> {
    if (this.client.status !== 'ready') return this.local.acquireNow(key, limit, leaseMs);
    const member = randomUUID();
    const redisKey = `slots:${key}`;
    let result: [number, number];
    try {
      result = await this.client.acquireSlot(redisKey, limit, leaseMs, member);
    } catch (error) {
      this.logger.debug({ err: (error as Error).message }, 'slot acquisition fell back to local counting');
      return this.local.acquireNow(key, limit, leaseMs);
    }
    const [acquired, inUse] = result.map(Number) as [number, number];
    let released = acquired !== 1;
    return {
      acquired: acquired === 1,
      inUse,
      release: () => {
        if (released) return;
        released = true;
        this.client.zrem(redisKey, member).catch(() => {
          if (this.pending.size < 100_000) this.pending.set(member, redisKey);
        });
      },
    };
  }
}

class RedisBlobCache implements BlobCache {
  constructor(
    private readonly client: Redis,
    private readonly local: MemoryBlobCache,
  ) {}

  async get(key: string): Promise<Buffer | undefined> {
    if (this.client.status !== 'ready') return this.local.get(key);
    try {
      return (await this.client.getBuffer(`blob:${key}`)) ?? undefined;
    } catch {
      return this.local.get(key);
    }
  }

  async set(key: string, value: Buffer, ttlMs: number): Promise<void> {
    if (this.client.status !== 'ready') return this.local.set(key, value, ttlMs);
    try {
      await this.client.set(`blob:${key}`, value, 'PX', Math.max(1, Math.round(ttlMs)));
    } catch {
      await this.local.set(key, value, ttlMs);
    }
  }
}

const ORIGIN = randomUUID();

/**
 * Edges in Redis: `edge:<id>` holds the registration (its TTL is the
 * heartbeat expiry, renewed by each heartbeat), `edge-names` maps an edge
 * name to its current id, `edge-beats` holds the last heartbeat and load.
 * Registrations and removals are announced on a channel so other replicas
 * open their own connection to a new edge at once.
 */
export class RedisEdgeDirectory implements EdgeDirectory {
  private readonly events = new EventEmitter();
  private subscribed = false;

  constructor(
    private readonly client: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
  ) {}

  private announce(change: EdgeChange): void {
    this.client.publish(this.channel, JSON.stringify({ ...change, origin: ORIGIN })).catch(() => undefined);
  }

  deliver(channel: string, message: string): void {
    if (channel !== this.channel) return;
    try {
      const change = JSON.parse(message) as EdgeChange & { origin?: string };
      if (change.origin === ORIGIN) return;
      if ((change.kind === 'registered' || change.kind === 'removed') && typeof change.id === 'string') {
        this.events.emit('change', { kind: change.kind, id: change.id });
      }
    } catch {
      // Not ours: ignored.
    }
  }

  async put(record: EdgeRecord, ttlMs: number): Promise<void> {
    const previous = await this.client.hget('edge-names', record.name);
    const multi = this.client.multi();
    if (previous && previous !== record.id) multi.del(`edge:${previous}`).hdel('edge-beats', previous);
    await multi
      .hset('edge-names', record.name, record.id)
      .set(`edge:${record.id}`, JSON.stringify(record), 'PX', ttlMs)
      .hset('edge-beats', record.id, `${record.lastHeartbeat}:${record.activeQueries}`)
      .exec();
    this.announce({ kind: 'registered', id: record.id });
  }

  async heartbeat(id: string, activeQueries: number, ttlMs: number): Promise<boolean> {
    const [[, renewed] = []] = (await this.client.multi().pexpire(`edge:${id}`, ttlMs).exec()) ?? [];
    if (Number(renewed) !== 1) return false;
    await this.client.hset('edge-beats', id, `${Date.now()}:${activeQueries}`);
    return true;
  }

  async remove(id: string): Promise<void> {
    const record = await this.get(id);
    const multi = this.client.multi().del(`edge:${id}`).hdel('edge-beats', id);
    if (record) {
      const current = await this.client.hget('edge-names', record.name);
      if (current === id) multi.hdel('edge-names', record.name);
    }
    await multi.exec();
    this.announce({ kind: 'removed', id });
  }

  async get(id: string): Promise<EdgeRecord | undefined> {
    const [[, raw] = [], [, beat] = []] =
      (await this.client.multi().get(`edge:${id}`).hget('edge-beats', id).exec()) ?? [];
    return typeof raw === 'string' ? withBeat(JSON.parse(raw) as EdgeRecord, beat) : undefined;
  }

  async list(): Promise<EdgeRecord[]> {
    const names = await this.client.hgetall('edge-names');
    const ids = Object.values(names);
    if (ids.length === 0) return [];
    const [raws, beats] = await Promise.all([
      this.client.mget(ids.map((id) => `edge:${id}`)),
      this.client.hmget('edge-beats', ...ids),
    ]);
    const records: EdgeRecord[] = [];
    const gone: string[] = [];
    for (const [index, id] of ids.entries()) {
      const raw = raws[index];
      if (typeof raw === 'string') records.push(withBeat(JSON.parse(raw) as EdgeRecord, beats[index]));
      else gone.push(id);
    }
    if (gone.length > 0) {
      // Expired registrations: forget their names unless re-registered meanwhile.
      for (const [name, id] of Object.entries(names)) {
        if (gone.includes(id)) {
          await this.client.hdel('edge-beats', id);
          const current = await this.client.hget('edge-names', name);
          if (current === id) await this.client.hdel('edge-names', name);
        }
      }
    }
    return records;
  }

  onChange(listener: (change: EdgeChange) => void): void {
    this.events.on('change', listener);
    if (!this.subscribed) {
      this.subscribed = true;
      this.subscriber.subscribe(this.channel).catch(() => undefined);
    }
  }
}

function withBeat(record: EdgeRecord, beat: unknown): EdgeRecord {
  if (typeof beat === 'string') {
    const [at, active] = beat.split(':').map(Number);
    if (Number.isFinite(at)) record.lastHeartbeat = at as number;
    if (Number.isFinite(active)) record.activeQueries = active as number;
  }
  return record;
}

export class RedisSettings implements SharedSettings {
  private readonly events = new EventEmitter();
  private readonly topics = new Set<string>();

  constructor(
    private readonly client: Redis,
    private readonly subscriber: Redis,
    private readonly channel: (topic: string) => string,
  ) {}

  async getOrSet(name: string, proposed: string): Promise<string> {
    const [, [, value] = []] =
      (await this.client.multi().set(`setting:${name}`, proposed, 'NX').get(`setting:${name}`).exec()) ?? [];
    return typeof value === 'string' ? value : proposed;
  }

  async publish(topic: string, message: string): Promise<void> {
    await this.client.publish(this.channel(`topic:${topic}`), message);
  }

  subscribe(topic: string, listener: (message: string) => void): void {
    const channel = this.channel(`topic:${topic}`);
    this.events.on(channel, listener);
    if (!this.topics.has(channel)) {
      this.topics.add(channel);
      this.subscriber.subscribe(channel).catch(() => undefined);
    }
  }

  deliver(channel: string, message: string): void {
    this.events.emit(channel, message);
  }
}
