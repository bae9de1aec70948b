import { randomUUID } from 'node:crypto';
import { type Logger, type Source, TributaryError } from '@tributary/core';
import { type EdgeDirectory, type EdgeRecord, MemoryEdgeDirectory } from '../shared-state/index.js';
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
  /** Per source (lower-cased): its catalog version, as shared in the edge directory. */
  sourceVersions: Record<string, number>;
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
  /** When it last heartbeated to this coordinator; 0 when its heartbeats go to another one. */
  lastHeartbeatHere: number;
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
 *
 * Registrations and heartbeats also go to the shared edge directory, so an
 * edge that registered with another coordinator replica (and heartbeats to
 * it) is known here too, and this coordinator opens its own connection to
 * it. The directory is read on every sweep and whenever another replica
 * announces a change. While it cannot be read, this registry keeps what it
 * knows and expires only the edges whose heartbeats come here.
 */
export class EdgeRegistry {
  private readonly edges = new Map<string, RegisteredEdge>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private currentVersion = 0;
  private chosen = 0;
  private reconciling: Promise<void> | undefined;
  private directoryReachable = true;

  constructor(
    private readonly signer: EdgeTokenSigner,
    private readonly expiryMs: number,
    private readonly logger: Logger,
    private readonly acceptTimeoutMs = 3_000,
    /** Heartbeats later than two of these mark the edge down; defaults to a third of the expiry. */
    private readonly heartbeatIntervalMs = Math.floor(expiryMs / 3),
    private readonly directory: EdgeDirectory = new MemoryEdgeDirectory(),
  ) {
    directory.onChange((change) => {
      if (change.kind === 'removed')
        this.remove(change.id, 'removed by another coordinator', { drain: true });
      else void this.adopt(change.id, { update: true });
    });
  }

  get version(): number {
    return this.currentVersion;
  }

  start(): void {
    // Edges registered with other replicas are known before this one serves.
    void this.reconcile();
    this.sweepTimer = setInterval(
      () => {
        this.sweep();
        void this.reconcile();
      },
      Math.max(100, Math.floor(this.expiryMs / 3)),
    );
    this.sweepTimer.unref();
  }

  /**
   * Adds an edge. Several edges may serve one source as replicas, but only
   * with the same tables and columns: a registration that disagrees with a
   * source's current replicas is refused with CONFLICT.
   */
  register(registration: EdgeRegistration): RegisteredEdge {
    this.checkReplicas(registration);
    const sourceVersions = this.carriedVersions(registration);
    for (const existing of [...this.edges.values()]) {
      if (existing.name !== registration.name) continue;
      // The same process registering again (its sources changed): its running results may finish.
      const drain = existing.address === registration.address;
      this.remove(existing.id, 'replaced by a new registration', { drain });
    }
    const now = Date.now();
    const edge = this.add({
      id: randomUUID(),
      ...registration,
      sourceVersions,
      registeredAt: now,
      lastHeartbeat: now,
      activeQueries: 0,
    });
    edge.lastHeartbeatHere = now;
    void this.share(edge);
    return edge;
  }

  /** A heartbeat that reached this coordinator, as this registry alone knows it. */
  heartbeat(edgeId: string, activeQueries: number): boolean {
    const edge = this.edges.get(edgeId);
    if (!edge) return false;
    edge.lastHeartbeat = Date.now();
    edge.lastHeartbeatHere = edge.lastHeartbeat;
    edge.activeQueries = activeQueries;
    if (edge.down === 'heartbeat late') this.markUp(edge);
    return true;
  }

  /**
   * A heartbeat that reached this coordinator, recorded in the shared
   * directory too: known when this registry or the directory knows the
   * edge (it may have registered with another replica).
   */
  async sharedHeartbeat(edgeId: string, activeQueries: number): Promise<boolean> {
    const known = this.heartbeat(edgeId, activeQueries);
    let shared: boolean;
    try {
      shared = await this.directory.heartbeat(edgeId, activeQueries, this.expiryMs);
    } catch (error) {
      this.logger.debug(
        { err: (error as Error).message },
        'edge directory unreachable; heartbeat kept locally',
      );
      return known;
    }
    const edge = this.edges.get(edgeId);
    if (edge && !shared) {
      // The directory lost it (Redis restarted empty, say); the edge is alive, so restore it.
      await this.share(edge);
      return true;
    }
    if (!edge && shared)
      return (await this.adopt(edgeId)) !== undefined && this.heartbeat(edgeId, activeQueries);
    return known || shared;
  }

  /**
   * An edge leaving on purpose (shutting down gracefully): no new query is
   * routed to it, and the queries it is still streaming finish.
   */
  deregister(edgeId: string): void {
    this.remove(edgeId, 'deregistered', { drain: true });
    this.directory.remove(edgeId).catch((error: unknown) => {
      this.logger.warn(
        { err: (error as Error).message, edgeId },
        'edge directory unreachable; removal kept locally',
      );
    });
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

  /**
   * A source's catalog version: starts at 1 and increases with every change a
   * refresh finds. Kept on the serving edges' shared records, so replicas agree.
   */
  sourceVersion(source: string): number {
    const key = source.toLowerCase();
    return Math.max(1, ...this.edgesFor(source).map((edge) => edge.sourceVersions[key] ?? 1));
  }

  /**
   * Takes in a source as an edge rediscovered it, so the catalog rebuilds,
   * and shares it with the other replicas; when its tables or columns
   * changed, the source's version increases on every edge serving it.
   * Returns the source's version afterwards.
   */
  updateSource(edgeId: string, source: Source, changed: boolean): number {
    const edge = this.edges.get(edgeId);
    if (!edge) return this.sourceVersion(source.name);
    const key = source.name.toLowerCase();
    const version = this.sourceVersion(source.name) + (changed ? 1 : 0);
    const index = edge.sources.findIndex((s) => s.name.toLowerCase() === key);
    if (index < 0) edge.sources.push(source);
    else edge.sources[index] = source;
    for (const serving of this.edgesFor(source.name)) {
      if ((serving.sourceVersions[key] ?? 1) === version && serving !== edge) continue;
      serving.sourceVersions = { ...serving.sourceVersions, [key]: version };
      if (serving !== edge) void this.share(serving);
    }
    this.currentVersion++;
    void this.share(edge);
    if (changed) this.logger.info({ source: source.name, version }, 'source schema changed');
    return version;
  }

  /**
   * A new registration's source versions: a source whose tables changed
   * since the edge's earlier registration (or than its replicas') goes one up.
   */
  private carriedVersions(registration: EdgeRegistration): Record<string, number> {
    const versions: Record<string, number> = {};
    const previous = [...this.edges.values()].find((e) => e.name === registration.name);
    for (const source of registration.sources) {
      const key = source.name.toLowerCase();
      const before = previous?.sources.find((s) => s.name.toLowerCase() === key);
      const current = this.sourceVersion(source.name);
      versions[key] = before && shapeDifference(source, before) !== undefined ? current + 1 : current;
    }
    return versions;
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
      // Without the directory, the heartbeats of edges that report elsewhere are not seen: keep them.
      const seen = this.directoryReachable || edge.lastHeartbeatHere > 0;
      if (silence > this.expiryMs && seen) this.remove(edge.id, 'heartbeat expired');
      else if (silence > 2 * this.heartbeatIntervalMs && !edge.down) {
        edge.down = 'heartbeat late';
        this.logger.warn({ edgeId: edge.id, edge: edge.name, silenceMs: silence }, 'edge marked down');
      }
    }
  }

  /** Reads the shared directory: adopts edges registered elsewhere, takes in their heartbeats, drops the gone. */
  reconcile(): Promise<void> {
    this.reconciling ??= this.readDirectory().finally(() => {
      this.reconciling = undefined;
    });
    return this.reconciling;
  }

  /** Shares again what this registry knows, after the directory was unreachable (and may have lost it). */
  async restoreShared(): Promise<void> {
    for (const edge of [...this.edges.values()]) {
      if (Date.now() - edge.lastHeartbeatHere <= this.expiryMs) await this.share(edge);
    }
    await this.reconcile();
  }

  private async readDirectory(): Promise<void> {
    let records: EdgeRecord[];
    try {
      records = await this.directory.list();
      this.directoryReachable = true;
    } catch {
      this.directoryReachable = false;
      return;
    }
    const now = Date.now();
    const listed = new Set<string>();
    for (const record of records) {
      listed.add(record.id);
      const edge = this.edges.get(record.id);
      if (!edge) {
        this.add(record);
        continue;
      }
      this.takeSchema(edge, record);
      if (record.lastHeartbeat > edge.lastHeartbeat) {
        edge.lastHeartbeat = record.lastHeartbeat;
        edge.activeQueries = record.activeQueries;
        if (edge.down === 'heartbeat late') this.markUp(edge);
      }
    }
    for (const edge of [...this.edges.values()]) {
      if (listed.has(edge.id)) continue;
      // Registered here a moment ago, or heartbeating here while the directory lost it: share it again.
      if (now - edge.lastHeartbeatHere <= this.expiryMs) await this.share(edge);
      else this.remove(edge.id, 'heartbeat expired');
    }
  }

  /**
   * Opens a connection to an edge another replica registered; with
   * `update`, also takes in a known edge's schema when another replica
   * refreshed it.
   */
  private async adopt(
    edgeId: string,
    options: { update?: boolean } = {},
  ): Promise<RegisteredEdge | undefined> {
    const known = this.edges.get(edgeId);
    if (known && !options.update) return known;
    let record: EdgeRecord | undefined;
    try {
      record = await this.directory.get(edgeId);
    } catch {
      return known;
    }
    if (!record) return known;
    const edge = this.edges.get(edgeId);
    if (!edge) return this.add(record);
    this.takeSchema(edge, record);
    return edge;
  }

  /**
   * Takes a shared record's sources when they are newer than what this
   * replica knows (another replica refreshed them): the catalog rebuilds and
   * the sources' cache keys change here too.
   */
  private takeSchema(edge: RegisteredEdge, record: EdgeRecord): void {
    const theirs = record.sourceVersions ?? {};
    const newer = Object.entries(theirs).some(([key, version]) => version > (edge.sourceVersions[key] ?? 1));
    if (!newer) return;
    edge.sources = record.sources;
    edge.sourceVersions = { ...edge.sourceVersions, ...theirs };
    this.currentVersion++;
    this.logger.info(
      { edgeId: edge.id, edge: edge.name, versions: edge.sourceVersions },
      'edge schema updated by another coordinator',
    );
  }

  private add(record: EdgeRecord): RegisteredEdge {
    for (const existing of [...this.edges.values()]) {
      if (existing.name === record.name && existing.id !== record.id) {
        this.remove(existing.id, 'replaced by a new registration');
      }
    }
    const edge: RegisteredEdge = {
      ...record,
      sourceVersions: { ...record.sourceVersions },
      client: new EdgeClient(record.name, record.address, this.signer, this.acceptTimeoutMs),
      inFlight: 0,
      lastFailure: 0,
      lastChosen: 0,
      lastHeartbeatHere: 0,
    };
    this.edges.set(edge.id, edge);
    this.currentVersion++;
    this.logger.info(
      { edgeId: edge.id, edge: edge.name, address: edge.address, sources: edge.sources.map((s) => s.name) },
      'edge registered',
    );
    return edge;
  }

  private async share(edge: RegisteredEdge): Promise<void> {
    const record: EdgeRecord = {
      id: edge.id,
      name: edge.name,
      address: edge.address,
      version: edge.version,
      sources: edge.sources,
      sourceVersions: edge.sourceVersions,
      registeredAt: edge.registeredAt,
      lastHeartbeat: edge.lastHeartbeat,
      activeQueries: edge.activeQueries,
    };
    try {
      await this.directory.put(record, this.expiryMs);
    } catch (error) {
      this.logger.warn(
        { err: (error as Error).message, edge: edge.name },
        'edge directory unreachable; registration kept locally',
      );
    }
  }

  private checkReplicas(registration: EdgeRegistration): void {
    for (const source of registration.sources) {
      // A source the edge cannot reach yet has no tables to compare.
      if (source.unavailable) continue;
      const wanted = source.name.toLowerCase();
      for (const other of this.edges.values()) {
        if (other.name === registration.name) continue;
        const theirs = other.sources.find((s) => s.name.toLowerCase() === wanted);
        if (!theirs || theirs.unavailable) continue;
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
