import { randomUUID } from 'node:crypto';
import { type Logger, type Source, TributaryError } from '@tributary/core';
import { EdgeClient } from './edge-client.js';
import type { EdgeTokenSigner } from './edge-tokens.js';
import { shapeDifference } from './source-shape.js';

/**
 * Why an edge is routed to only after every healthy replica: a call to it
 * failed (until a ping succeeds), or its heartbeats are late (until one
 * arrives). A down edge is still tried when nothing else serves the source.
 */
export type EdgeDownReason = 'unreachable' | 'heartbeat late';

export interface RegisteredEdge {
  id: string;
  name: string;
  address: string;
  version: string;
  sources: Source[];
  client: EdgeClient;
  registeredAt: number;
  lastHeartbeat: number;
  /** Queries running at the edge, as its last heartbeat reported (from every coordinator). */
  activeQueries: number;
  /** Queries this coordinator is running on it now. */
  inFlight: number;
  /** When a call to it last failed; 0 once it is back up. */
  lastFailure: number;
  /** Set while the edge is down; undefined while it is up. */
  down?: EdgeDownReason;
  /** Increases each time a query is routed to it: among equally busy replicas the least recent goes first. */
  lastChosen: number;
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
  private chosen = 0;

  constructor(
    private readonly signer: EdgeTokenSigner,
    private readonly expiryMs: number,
    private readonly logger: Logger,
    private readonly acceptTimeoutMs = 3_000,
    /** Heartbeats later than two of these mark the edge down; defaults to a third of the expiry. */
    private readonly heartbeatIntervalMs = Math.floor(expiryMs / 3),
  ) {}

  get version(): number {
    return this.currentVersion;
  }

  start(): void {
    this.sweepTimer = setInterval(() => this.sweep(), Math.max(100, Math.floor(this.expiryMs / 3)));
    this.sweepTimer.unref();
  }

  /**
   * Adds an edge. Several edges may serve one source as replicas, but only
   * with the same tables and columns: a registration that disagrees with a
   * source's current replicas is refused with CONFLICT.
   */
  register(registration: EdgeRegistration): RegisteredEdge {
    this.checkReplicas(registration);
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
      inFlight: 0,
      lastFailure: 0,
      lastChosen: 0,
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
    if (edge.down === 'heartbeat late') this.markUp(edge);
    return true;
  }

  /**
   * An edge leaving on purpose (shutting down gracefully): no new query is
   * routed to it, and the queries it is still streaming finish.
   */
  deregister(edgeId: string): void {
    this.remove(edgeId, 'deregistered', { drain: true });
  }

  /** Notes a failed call: the edge is routed to after healthy replicas until a ping or a query succeeds. */
  reportFailure(edgeId: string): void {
    const edge = this.edges.get(edgeId);
    if (!edge) return;
    edge.lastFailure = Date.now();
    if (edge.down !== 'unreachable') {
      edge.down = 'unreachable';
      this.logger.warn({ edgeId, edge: edge.name }, 'edge marked down');
    }
  }

  /** Notes a successful call (a ping answered, a query completed): a down edge is up again. */
  reportSuccess(edgeId: string): void {
    const edge = this.edges.get(edgeId);
    if (edge?.down) this.markUp(edge);
  }

  private markUp(edge: RegisteredEdge): void {
    const reason = edge.down;
    edge.down = undefined;
    edge.lastFailure = 0;
    this.logger.info({ edgeId: edge.id, edge: edge.name, was: reason }, 'edge back up');
  }

  /**
   * Counts a query as running on the edge (for least-busy routing) until the
   * returned release is called; releasing twice is harmless.
   */
  track(edge: RegisteredEdge): () => void {
    edge.inFlight++;
    edge.lastChosen = ++this.chosen;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      edge.inFlight--;
    };
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
      const silence = now - edge.lastHeartbeat;
      if (silence > this.expiryMs) this.remove(edge.id, 'heartbeat expired');
      else if (silence > 2 * this.heartbeatIntervalMs && !edge.down) {
        edge.down = 'heartbeat late';
        this.logger.warn({ edgeId: edge.id, edge: edge.name, silenceMs: silence }, 'edge marked down');
      }
    }
  }

  private checkReplicas(registration: EdgeRegistration): void {
    for (const source of registration.sources) {
      const wanted = source.name.toLowerCase();
      for (const other of this.edges.values()) {
        if (other.name === registration.name) continue;
        const theirs = other.sources.find((s) => s.name.toLowerCase() === wanted);
        if (!theirs) continue;
        const difference = shapeDifference(source, theirs);
        if (difference) {
          throw new TributaryError(
            'CONFLICT',
            `edge ${registration.name} cannot serve source ${source.name}: ${difference} (as served by edge ${other.name}); replicas of a source must have the same tables and columns`,
            { source: source.name, edge: registration.name, conflicts_with: other.name },
          );
        }
      }
    }
  }

  private remove(edgeId: string, reason: string, options: { drain?: boolean } = {}): void {
    const edge = this.edges.get(edgeId);
    if (!edge) return;
    this.edges.delete(edgeId);
    if (options.drain) edge.client.retire(reason);
    else edge.client.close(reason);
    this.currentVersion++;
    this.logger.info({ edgeId, edge: edge.name, reason }, 'edge removed');
  }

  stop(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const edge of this.edges.values()) edge.client.close();
    this.edges.clear();
  }
}
