import {
  type GetSourceHealthResponse__Input,
  type Logger,
  type RefreshSchemaRequest,
  type RefreshSchemaResponse__Input,
  TributaryError,
} from '@tributary/core';
import type { EdgeRegistry } from '../catalog/index.js';
import type { AdminContext } from './admin-context.js';

/** How long an edge may take to rediscover a source or answer a ping. */
const EDGE_CALL_MS = 30_000;
const PING_MS = 10_000;

/**
 * Sources as operators see them: rediscovering a source's schema at the
 * edges serving it (on request or on a schedule) and checking that each of
 * those edges reaches it.
 */
export class SourceAdmin {
  constructor(
    private readonly registry: EdgeRegistry,
    private readonly logger: Logger,
  ) {}

  private edgesFor(source: string) {
    const edges = this.registry.edgesFor(source);
    if (edges.length === 0) throw TributaryError.notFound(`no edge serves source ${source}`, { source });
    return edges;
  }

  /**
   * Asks every edge serving the source to rediscover it and takes the new
   * schema into the catalog; the source's version increases when its tables
   * or columns changed.
   */
  async refresh(
    request: Partial<RefreshSchemaRequest>,
    requestId: string,
  ): Promise<RefreshSchemaResponse__Input> {
    const source = String(request.source ?? '').trim();
    if (!source) throw TributaryError.invalid('source is required');
    const edges = this.edgesFor(source);
    let changed = false;
    let tables = 0;
    const refreshed: string[] = [];
    const failures: string[] = [];
    for (const edge of edges) {
      try {
        const [found] = await edge.client.getSchema([source], true, {
          requestId,
          deadline: Date.now() + EDGE_CALL_MS,
        });
        if (!found) throw new TributaryError('NOT_FOUND', `edge ${edge.name} no longer serves ${source}`);
        if (this.registry.updateSource(edge.id, found)) changed = true;
        tables = (found.schemas ?? []).reduce((n, s) => n + (s.tables ?? []).length, 0);
        refreshed.push(edge.name);
      } catch (error) {
        failures.push(`${edge.name}: ${(error as Error).message}`);
      }
    }
    if (refreshed.length === 0)
      throw TributaryError.unavailable(`no edge could refresh source ${source}: ${failures.join('; ')}`, {
        source,
      });
    const version = changed ? this.registry.bumpSourceVersion(source) : this.registry.sourceVersion(source);
    if (request.table) {
      const [schema, table] = request.table.includes('.') ? request.table.split('.', 2) : ['', request.table];
      const served = this.registry
        .edgesFor(source)[0]
        ?.sources.find((s) => s.name.toLowerCase() === source.toLowerCase())
        ?.schemas?.some(
          (s) =>
            (!schema || s.name.toLowerCase() === schema?.toLowerCase()) &&
            (s.tables ?? []).some((t) => t.ref?.table?.toLowerCase() === table?.toLowerCase()),
        );
      if (!served) throw TributaryError.notFound(`table ${request.table} not found in source ${source}`);
    }
    this.logger.info({ source, version, changed, edges: refreshed, failures }, 'source schema refreshed');
    return { source, version, changed, table_count: tables, edges: refreshed };
  }

  /** Refreshes every served source; failures are logged, not thrown (the scheduled refresh). */
  async refreshAll(): Promise<void> {
    const sources = new Set(this.registry.list().flatMap((e) => e.sources.map((s) => s.name)));
    for (const source of sources) {
      await this.refresh({ source }, `schema-refresh-${Date.now()}`).catch((error: Error) =>
        this.logger.warn({ source, err: error.message }, 'scheduled schema refresh failed'),
      );
    }
  }

  /** Each serving edge's own check of the source: reachable or not, and how long the check took. */
  async health(ctx: AdminContext, source: string): Promise<GetSourceHealthResponse__Input> {
    const name = source.trim();
    if (!name) throw TributaryError.invalid('source is required');
    const edges = await Promise.all(
      this.edgesFor(name).map(async (edge) => {
        try {
          const ping = await edge.client.ping({ requestId: ctx.requestId, deadline: Date.now() + PING_MS });
          const own = ping.sources.find((s) => s.name.toLowerCase() === name.toLowerCase());
          if (!own) return { edge: edge.name, healthy: false, message: `edge does not serve ${name}` };
          return {
            edge: edge.name,
            healthy: own.healthy,
            message: own.message,
            latency_ms: Number(own.latency_ms),
          };
        } catch (error) {
          return { edge: edge.name, healthy: false, message: (error as Error).message };
        }
      }),
    );
    return {
      source: name,
      healthy: edges.some((e) => e.healthy),
      edges,
      version: this.registry.sourceVersion(name),
    };
  }
}
