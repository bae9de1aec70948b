import { EventEmitter } from 'node:events';
import { LRUCache } from 'lru-cache';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { InProcessQueryRunStore } from '../runs/in-process-run-store.js';
import { MemoryRevocationList } from './revocations.js';
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

export interface MemoryStateOptions {
  /** Bytes the in-process blob cache may hold. */
  maxBlobBytes: number;
}

/** A fixed window counted in this process (rate-limiter-flexible's memory limiter). */
export class MemoryRequestWindow implements RequestWindow {
  private readonly limiter: RateLimiterMemory;

  constructor(
    private readonly limit: number,
    windowMs: number,
  ) {
    this.limiter = new RateLimiterMemory({
      points: limit,
      duration: Math.max(1, Math.ceil(windowMs / 1000)),
    });
  }

  get memoryLimiter(): RateLimiterMemory {
    return this.limiter;
  }

  async consume(key: string): Promise<WindowState> {
    return windowState(this.limit, await settle(this.limiter.consume(key)));
  }
}

/** rate-limiter-flexible rejects with its result when over the limit; both are a state here. */
export async function settle(
  result: Promise<RateLimiterRes>,
): Promise<{ res: RateLimiterRes; allowed: boolean }> {
  try {
    return { res: await result, allowed: true };
  } catch (error) {
    if (error instanceof RateLimiterRes) return { res: error, allowed: false };
    throw error;
  }
}

export function windowState(
  limit: number,
  { res, allowed }: { res: RateLimiterRes; allowed: boolean },
): WindowState {
  return { allowed, limit, remaining: res.remainingPoints, resetMs: Math.max(0, res.msBeforeNext) };
}

/**
 * Leased slots counted in this process. Hand-written: rate limiters count
 * events in windows, not work in progress that ends when it ends.
 */
export class MemorySlotPool implements SlotPool {
  private readonly held = new Map<string, Map<number, number>>();
  private next = 0;

  async acquire(key: string, limit: number, leaseMs: number): Promise<SlotGrant> {
    return this.acquireNow(key, limit, leaseMs);
  }

  acquireNow(key: string, limit: number, leaseMs: number): SlotGrant {
    const now = Date.now();
    let leases = this.held.get(key);
    if (!leases) {
      leases = new Map();
      this.held.set(key, leases);
    }
    for (const [id, until] of leases) if (until <= now) leases.delete(id);
    if (leases.size >= limit) return { acquired: false, inUse: leases.size, release: () => undefined };
    const id = this.next++;
    leases.set(id, now + leaseMs);
    const owner = leases;
    return {
      acquired: true,
      inUse: leases.size,
      release: () => {
        owner.delete(id);
        if (owner.size === 0 && this.held.get(key) === owner) this.held.delete(key);
      },
    };
  }
}

export class MemoryBlobCache implements BlobCache {
  private readonly cache: LRUCache<string, Buffer>;

  constructor(maxBytes: number) {
    this.cache = new LRUCache<string, Buffer>({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (value) => Math.max(1, value.byteLength),
    });
  }

  async get(key: string): Promise<Buffer | undefined> {
    return this.cache.get(key);
  }

  async set(key: string, value: Buffer, ttlMs: number): Promise<void> {
    if (value.byteLength > this.cache.maxSize) return;
    this.cache.set(key, value, { ttl: ttlMs });
  }
}

interface StoredEdge {
  record: EdgeRecord;
  expiresAt: number;
}

export class MemoryEdgeDirectory implements EdgeDirectory {
  private readonly edges = new Map<string, StoredEdge>();
  private readonly events = new EventEmitter();

  async put(record: EdgeRecord, ttlMs: number): Promise<void> {
    for (const [id, stored] of this.edges) {
      if (stored.record.name === record.name && id !== record.id) this.edges.delete(id);
    }
    this.edges.set(record.id, { record: { ...record }, expiresAt: Date.now() + ttlMs });
  }

  async heartbeat(id: string, activeQueries: number, ttlMs: number): Promise<boolean> {
    const stored = this.live(id);
    if (!stored) return false;
    const now = Date.now();
    stored.record.lastHeartbeat = now;
    stored.record.activeQueries = activeQueries;
    stored.expiresAt = now + ttlMs;
    return true;
  }

  async remove(id: string): Promise<void> {
    this.edges.delete(id);
  }

  async get(id: string): Promise<EdgeRecord | undefined> {
    const stored = this.live(id);
    return stored ? { ...stored.record } : undefined;
  }

  async list(): Promise<EdgeRecord[]> {
    return [...this.edges.keys()].flatMap((id) => {
      const stored = this.live(id);
      return stored ? [{ ...stored.record }] : [];
    });
  }

  /** One process: no other replica ever changes the directory. */
  onChange(listener: (change: EdgeChange) => void): void {
    this.events.on('change', listener);
  }

  private live(id: string): StoredEdge | undefined {
    const stored = this.edges.get(id);
    if (stored && stored.expiresAt <= Date.now()) {
      this.edges.delete(id);
      return undefined;
    }
    return stored;
  }
}

export class MemorySettings implements SharedSettings {
  private readonly values = new Map<string, string>();
  private readonly events = new EventEmitter();

  async getOrSet(name: string, proposed: string): Promise<string> {
    const existing = this.values.get(name);
    if (existing !== undefined) return existing;
    this.values.set(name, proposed);
    return proposed;
  }

  async publish(topic: string, message: string): Promise<void> {
    this.events.emit(topic, message);
  }

  subscribe(topic: string, listener: (message: string) => void): void {
    this.events.on(topic, listener);
  }
}

/** Everything in this process: the default when no Redis is configured. */
export class MemoryState implements SharedState {
  readonly slots = new MemorySlotPool();
  readonly blobs: MemoryBlobCache;
  readonly edges = new MemoryEdgeDirectory();
  readonly settings = new MemorySettings();
  readonly runs = new InProcessQueryRunStore();
  readonly revocations = new MemoryRevocationList();
  private readonly windows = new Map<string, MemoryRequestWindow>();

  constructor(options: MemoryStateOptions) {
    this.blobs = new MemoryBlobCache(options.maxBlobBytes);
  }

  requestWindow(name: string, limit: number, windowMs: number): RequestWindow {
    const id = `${name}\u0000${limit}\u0000${windowMs}`;
    let window = this.windows.get(id);
    if (!window) {
      window = new MemoryRequestWindow(limit, windowMs);
      this.windows.set(id, window);
    }
    return window;
  }

  health(): SharedStateHealth {
    return { ok: true, backend: 'memory', detail: 'in-process' };
  }

  /** Never unreachable. */
  onReconnect(_listener: () => void): void {}

  async close(): Promise<void> {}
}
