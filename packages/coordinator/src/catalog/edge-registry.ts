import { randomUUID } from 'node:crypto';
import type { Logger, Source } from '@tributary/core';
import { EdgeClient } from './edge-client.js';
import type { EdgeTokenSigner } from './edge-tokens.js';

export interface RegisteredEdge {
  id: string;
  name: string;
  address: string;
  version: string;
  sources: Source[];
  client: EdgeClient;
  registeredAt: number;
  lastHeartbeat: number;
  activeQueries: number;
  /** When a call to it last failed; 0 when none since its last heartbeat. */
  lastFailure: number;
}

export interface EdgeRegistration {
  name: string;
  address: string;
  version: string;
  sources: Source[];
}

/**
 * The live set of edges. Registration replaces any earlier registration of
 * the same edge name (an edge restarting), heartbeats keep an edge alive, and
 * a sweep drops edges whose heartbeats stopped. `version` changes whenever
 * the set of tables could have changed, so the catalog knows to rebuild.
 */
export class EdgeRegistry {
  private readonly edges = new Map<string, RegisteredEdge>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private currentVersion = 0;

  constructor(
    private readonly signer: EdgeTokenSigner,
    private readonly expiryMs: number,
    private readonly logger: Logger,
    private readonly acceptTimeoutMs = 3_000,
  ) {}

  get version(): number {
    return this.currentVersion;
  }

  start(): void {
    this.sweepTimer = setInterval(() => this.sweep(), Math.max(100, Math.floor(this.expiryMs / 3)));
    this.sweepTimer.unref();
  }

  register(registration: EdgeRegistration): RegisteredEdge {
    for (const existing of this.edges.values()) {
      if (existing.name === registration.name) this.remove(existing.id, 'replaced by a new registration');
    }
    const now = Date.now();
    const edge: RegisteredEdge = {
      id: randomUUID(),
      ...registration,
      client: new EdgeClient(registration.name, registration.address, this.signer, this.acceptTimeoutMs),
      registeredAt: now,
      lastHeartbeat: now,
      activeQueries: 0,
      lastFailure: 0,
    };
    this.edges.set(edge.id, edge);
    this.currentVersion++;
    this.logger.info(
      { edgeId: edge.id, edge: edge.name, address: edge.address, sources: edge.sources.map((s) => s.name) },
      'edge registered',
    );
    return edge;
  }

  heartbeat(edgeId: string, activeQueries: number): boolean {
    const edge = this.edges.get(edgeId);
    if (!edge) return false;
    edge.lastHeartbeat = Date.now();
    edge.activeQueries = activeQueries;
    edge.lastFailure = 0;
    return true;
  }

  deregister(edgeId: string): void {
    this.remove(edgeId, 'deregistered');
  }

  /** Notes a failed call: the edge is tried after others until a heartbeat (or a success) clears it. */
  reportFailure(edgeId: string): void {
    const edge = this.edges.get(edgeId);
    if (edge) edge.lastFailure = Date.now();
  }

  get(edgeId: string): RegisteredEdge | undefined {
    return this.edges.get(edgeId);
  }

  list(): RegisteredEdge[] {
    return [...this.edges.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Edges serving a source, freshest heartbeat first. */
  edgesFor(source: string): RegisteredEdge[] {
    const wanted = source.toLowerCase();
    return this.list()
      .filter((edge) => edge.sources.some((s) => s.name.toLowerCase() === wanted))
      .sort((a, b) => b.lastHeartbeat - a.lastHeartbeat);
  }

  sweep(now = Date.now()): void {
    for (const edge of [...this.edges.values()]) {
      if (now - edge.lastHeartbeat > this.expiryMs) this.remove(edge.id, 'heartbeat expired');
    }
  }

  private remove(edgeId: string, reason: string): void {
    const edge = this.edges.get(edgeId);
    if (!edge) return;
    this.edges.delete(edgeId);
    edge.client.close(reason);
    this.currentVersion++;
    this.logger.info({ edgeId, edge: edge.name, reason }, 'edge removed');
  }

  stop(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const edge of this.edges.values()) edge.client.close();
    this.edges.clear();
  }
}
