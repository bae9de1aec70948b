import type { Source } from '@tributary/core';
import type { QueryRunStore } from '../runs/query-run-store.js';
import type { RevocationList } from './revocations.js';

/**
 * What coordinator replicas share. Two backends implement it: in-process
 * (one coordinator, nothing to share) and Redis (any number of replicas).
 * It is chosen once at start-up; nothing else knows which one is in use.
 */
export interface SharedState {
  /** A fixed-window request counter of `limit` requests per `windowMs`. */
  requestWindow(name: string, limit: number, windowMs: number): RequestWindow;
  /** Leased slots for work in progress (concurrent queries). */
  readonly slots: SlotPool;
  /** Byte values with a time to live (result cache entries). */
  readonly blobs: BlobCache;
  /** Registered edges and their heartbeats, as every replica sees them. */
  readonly edges: EdgeDirectory;
  /** Values every replica must agree on, created by whichever asks first. */
  readonly settings: SharedSettings;
  /** Query runs (asynchronous queries), visible to and cancellable from every replica. */
  readonly runs: QueryRunStore;
  /** Credentials refused on every replica (revoked keys, deleted users, blocked tokens). */
  readonly revocations: RevocationList;
  /** Whether the shared backend is reachable (the in-process one always is). */
  health(): SharedStateHealth;
  /** Told when the shared backend is reachable again after an outage, to restore what it lost. */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

export interface SharedStateHealth {
  ok: boolean;
  backend: 'memory' | 'redis';
  detail: string;
}

export interface WindowState {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Until the window resets. */
  resetMs: number;
}

export interface RequestWindow {
  /** Counts one request under `key`; refused requests count too, so hammering does not pay. */
  consume(key: string): Promise<WindowState>;
}

export interface SlotGrant {
  acquired: boolean;
  /** Slots held under the key, this one included when acquired. */
  inUse: number;
  /** Returns the slot; safe to call more than once. */
  release(): void;
}

export interface SlotPool {
  /**
   * Takes one of `limit` slots under `key` for at most `leaseMs`: a slot
   * whose holder vanished (a crashed replica) frees itself when the lease ends.
   */
  acquire(key: string, limit: number, leaseMs: number): Promise<SlotGrant>;
}

export interface BlobCache {
  get(key: string): Promise<Buffer | undefined>;
  set(key: string, value: Buffer, ttlMs: number): Promise<void>;
}

/** An edge's registration as every replica sees it; connections stay local. */
export interface EdgeRecord {
  id: string;
  name: string;
  address: string;
  version: string;
  sources: Source[];
  /**
   * Per source (lower-cased), its catalog version at this edge: raised by a
   * schema refresh that found a change, so every replica adopting the record
   * keys cached results of the source anew. Absent means 1.
   */
  sourceVersions?: Record<string, number>;
  registeredAt: number;
  lastHeartbeat: number;
  activeQueries: number;
}

export type EdgeChange = { kind: 'registered' | 'removed'; id: string };

export interface EdgeDirectory {
  /** Stores a registration, replacing any other registration of the same edge name. */
  put(record: EdgeRecord, ttlMs: number): Promise<void>;
  /** Records a heartbeat; false when the directory no longer knows the edge. */
  heartbeat(id: string, activeQueries: number, ttlMs: number): Promise<boolean>;
  remove(id: string): Promise<void>;
  get(id: string): Promise<EdgeRecord | undefined>;
  /** Every edge whose heartbeats have not expired. */
  list(): Promise<EdgeRecord[]>;
  /** Told when another replica registers or removes an edge. */
  onChange(listener: (change: EdgeChange) => void): void;
}

export interface SharedSettings {
  /** The stored value of `name`, storing `proposed` first when there is none. */
  getOrSet(name: string, proposed: string): Promise<string>;
  /** Announces that `topic` changed, to every replica (this one included). */
  publish(topic: string, message: string): Promise<void>;
  subscribe(topic: string, listener: (message: string) => void): void;
}
