import {
  type GetSourceHealthResponse__Input,
  type Logger,
  type RefreshSchemaRequest,
  type RefreshSchemaResponse__Input,
  TributaryError,
} from '@tributary/core';
import { type EdgeRegistry, tableChanges } from '../catalog/index.js';
import type { AdminContext } from './admin-context.js';

/** How long an edge may take to rediscover a source or answer a ping. */
const EDGE_CALL_MS = 30_000;
const PING_MS = 10_000;
/** `schema.table` or `table`: plain names, as the catalog lists them. */
const TABLE_NAME = /^[^.\s]+(\.[^.\s]+)?$/;

/** Whether a catalog name (`schema.table`, lower-cased) is the table a request named. */
function sameTable(name: string, requested: string): boolean {
  const wanted = requested.toLowerCase();
  return wanted.includes('.') ? name === wanted : name.endsWith(`.${wanted}`);
}

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
   * Asks every edge serving the source to rediscover it (or only `table`) and
   * takes the new schema into the catalog; the source's version increases
   * when its tables or columns changed, and the answer names the tables that
   * appeared, went away or changed.
   */
  async refresh(
    request: Partial<RefreshSchemaRequest>,
    requestId: string,
  ): Promise<RefreshSchemaResponse__Input> {
    const source = String(request.source ?? '').trim();
    if (!source) throw TributaryError.invalid('source is required');
    const table = String(request.table ?? '').trim() || undefined;
    if (table !== undefined && !TABLE_NAME.test(table))
      throw TributaryError.invalid(
        `table must be written schema.table or table, not ${JSON.stringify(table)}`,
        {
          table,
        },
      );
    const edges = this.edgesFor(source);
    const added = new Set<string>();
    const dropped = new Set<string>();
    const altered = new Set<string>();
    let changed = false;
    let tables = 0;
    let present = false;
    const refreshed: string[] = [];
    const failures: string[] = [];
    for (const edge of edges) {
      try {
        const before = edge.sources.find((s) => s.name.toLowerCase() === source.toLowerCase());
        const [found] = await edge.client.getSchema([source], true, {
          requestId,
          deadline: Date.now() + EDGE_CALL_MS,
          table,
        });
        if (!found) throw new TributaryError('NOT_FOUND', `edge ${edge.name} no longer serves ${source}`);
        const changes = tableChanges(before, found);
        const differs = changes.added.length + changes.dropped.length + changes.changed.length > 0;
        // Replicas of a source change together: the version goes up once per refresh.
        this.registry.updateSource(edge.id, found, differs && !changed);
        changed ||= differs;
        for (const name of changes.added) added.add(name);
        for (const name of changes.dropped) dropped.add(name);
        for (const name of changes.changed) altered.add(name);
        const names = found.schemas.flatMap((s) =>
          s.tables.map((t) => `${s.name}.${t.ref?.table}`.toLowerCase()),
        );
        tables = names.length;
        if (table !== undefined)
          present ||= [...names, ...changes.dropped].some((name) => sameTable(name, table));
        refreshed.push(edge.name);
      } catch (error) {
        failures.push(`${edge.name}: ${(error as Error).message}`);
      }
    }
    if (refreshed.length === 0)
      throw TributaryError.unavailable(`no edge could refresh source ${source}: ${failures.join('; ')}`, {
        source,
      });
    if (table !== undefined && !present)
      throw TributaryError.notFound(`table ${table} not found in source ${source}`, { source, table });
    const version = this.registry.sourceVersion(source);
    this.logger.info(
      {
        source,
        table,
        version,
        changed,
        edges: refreshed,
        failures,
        added: [...added],
        dropped: [...dropped],
      },
      'source schema refreshed',
    );
    return {
      source,
      version,
      changed,
      table_count: tables,
      edges: refreshed,
      added_tables: [...added].sort(),
      dropped_tables: [...dropped].sort(),
      changed_tables: [...altered].sort(),
    };
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

  /** Each serving edge's own check of the source: reachable or not (and why), and how long the check took. */
  async health(ctx: AdminContext, source: string): Promise<GetSourceHealthResponse__Input> {
    const name = source.trim();
    if (!name) throw TributaryError.invalid('source is required');
    const edges = await Promise.all(
      this.edgesFor(name).map(async (edge) => {
        try {
          const ping = await edge.client.ping({ requestId: ctx.requestId, deadline: Date.now() + PING_MS });
          const own = ping.sources.find((s) => s.name.toLowerCase() === name.toLowerCase());
          if (!own) return { edge: edge.name, reachable: false, error: `edge does not serve ${name}` };
          return {
            edge: edge.name,
            reachable: own.healthy,
            error: own.healthy ? '' : own.message,
            latency_ms: Number(own.latency_ms),
          };
        } catch (error) {
          return {
            edge: edge.name,
            reachable: false,
            error: `edge unreachable: ${(error as Error).message}`,
          };
        }
      }),
    );
    return {
      source: name,
      reachable: edges.some((e) => e.reachable),
      edges,
      version: this.registry.sourceVersion(name),
    };
  }
}
