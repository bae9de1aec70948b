import {
  type BuildQueryRequest,
  type BuildQueryResponse__Input,
  fromProtoValue,
  newQueryId,
  type QueryResultChunk__Input,
  type SqlValue,
  TributaryError,
  type ValidateQueryResponse__Input,
} from '@tributary/core';
import type { QueryEngine } from '@tributary/engine';
import type { QueryAuditEvent } from '../audit/audit-log.js';
import { type QueryAuditSink, QueryAuditTrail } from '../audit/query-trail.js';
import { requireScope } from '../auth/index.js';
import type { Catalog, EdgeRegistry } from '../catalog/index.js';
import type { CoordinatorConfig } from '../config/coordinator-config.js';
import type { RequestContext } from '../context.js';
import type { EdgeSlots, RateLimits, TenantLimits } from '../limits/index.js';
import type { CoordinatorMetrics, QueryMeter } from '../metrics/index.js';
import type { SqlCodec } from '../policy/index.js';
import { unauthorizedError } from '../policy/index.js';
import { buildQuery } from '../query/build/index.js';
import { startFederated } from '../query/execute/federate.js';
import type { FragmentSizes } from '../query/execute/fragment-sizes.js';
import { type EdgeAttempt, startOnEdge } from '../query/execute/run-on-edge.js';
import type { PlanCache } from '../query/plan/plan-cache.js';
import { type Route, routeQuery } from '../query/plan/route.js';
import { type FederatedPlan, splitQuery } from '../query/plan/split.js';
import { type CachedResult, cachedChunks, type ResultCache } from '../result-cache/index.js';
import { accessInfo } from './access-info.js';
import type { QueryAnalysis } from './analysis.js';
import { explainPlan } from './explain.js';
import type { Governance } from './governance.js';

export interface QueryRequest {
  sql: string;
  params: SqlValue[];
  /** 0 means no limit. */
  limit: number;
  /** Told the query's id as soon as it has one, before authorization: a refused query has an id too. */
  onQueryId?: (queryId: string) => void;
}

export interface QueryExecution {
  queryId: string;
  /** Schema first, record batches, then the metadata chunk. */
  chunks: AsyncIterable<QueryResultChunk__Input>;
}

export interface QueryServiceDeps {
  analysis: QueryAnalysis;
  governance: Governance;
  catalog: Catalog;
  registry: EdgeRegistry;
  /** Each tenant's row, byte, time and per-edge concurrency limits. */
  limits: TenantLimits;
  slots: EdgeSlots;
  config: CoordinatorConfig['query'];
  /** Receives one record per executed query; none when absent. */
  audit?: QueryAuditSink;
  /** Concurrent-query slots per identity; unlimited when absent. */
  rateLimits?: RateLimits;
  /** Results of earlier identical queries; none when absent. */
  cache?: ResultCache;
  /** Where query counts, durations and volumes are recorded; nothing is measured when absent. */
  metrics?: CoordinatorMetrics;
  /** Queries spanning edges: the parser/printer that splits them and the DuckDB that joins them. */
  federation: { codec: SqlCodec; engine: QueryEngine; sizes?: FragmentSizes; plans?: PlanCache };
}

/** Distinguishes the local tables of concurrent federated queries in the coordinator's DuckDB. */
let federatedRuns = 0;

/** The status label of a query's outcome: OK, or the code it ended with. */
function statusOf(event: Pick<QueryAuditEvent, 'decision' | 'errorCode'>): string {
  return event.decision === 'allowed' ? 'OK' : (event.errorCode ?? 'INTERNAL');
}

/** A slot is held a little past the query's deadline, in case the end is never seen (a crash). */
const SLOT_LEASE_MARGIN_MS = 5_000;

/** Runs, validates and builds queries: the protocol-free core of QueryService. */
export class QueryService {
  /** Queries started and not yet ended (result fully read, failed or abandoned). */
  private running = 0;
  private idle: (() => void) | undefined;
  private draining = false;
  private readonly shutdown = new AbortController();

  constructor(private readonly deps: QueryServiceDeps) {}

  /**
   * Graceful shutdown: new queries are refused with UNAVAILABLE at once,
   * running ones get `graceMs` to finish; whatever still runs then is
   * cancelled at its edge and ends with UNAVAILABLE. Resolves when every
   * query has ended (or a short while after the cancel, whichever is first).
   */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    const ended = new Promise<void>((resolve) => {
      if (this.running === 0) resolve();
      else this.idle = resolve;
    });
    const finished = await Promise.race([ended.then(() => true), delay(graceMs).then(() => false)]);
    if (finished) return;
    this.shutdown.abort();
    await Promise.race([ended, delay(2_000)]);
  }

  /** False once draining: readiness reports it, so load balancers stop sending queries. */
  get accepting(): boolean {
    return !this.draining;
  }

  /** Queries started and not yet ended. */
  get runningQueries(): number {
    return this.running;
  }

  private begin(): () => void {
    this.running++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.running--;
      if (this.running === 0) this.idle?.();
    };
  }

  private checkSql(sql: string): void {
    if (typeof sql !== 'string' || sql.trim() === '') throw TributaryError.invalid('sql is required');
    if (Buffer.byteLength(sql, 'utf8') > this.deps.config.max_sql_bytes) {
      throw TributaryError.invalid(`sql is longer than ${this.deps.config.max_sql_bytes} bytes`);
    }
  }

  /**
   * Analyze → route → execute. Resolves when the result's schema has
   * arrived, so every refusal surfaces before a transport commits to success.
   */
  async execute(ctx: RequestContext, request: QueryRequest): Promise<QueryExecution> {
    const startedAt = performance.now();
    const meter = this.deps.metrics?.startQuery(ctx.protocol);
    // The trail decides each query's one outcome; metrics count that same outcome.
    const outcomes: QueryAuditSink = {
      recordQuery: (event) => {
        meter?.end(statusOf(event));
        this.deps.audit?.recordQuery(event);
      },
    };
    const trail = new QueryAuditTrail(outcomes, ctx, String(request.sql ?? ''), startedAt);
    if (this.draining) {
      const refusal = TributaryError.unavailable('the coordinator is shutting down; try again', {
        retry_after_ms: 1_000,
      });
      trail.failed(refusal);
      throw refusal;
    }
    const end = this.begin();
    // The query's own signal: the caller going away, or this coordinator's shutdown.
    const signal = AbortSignal.any([ctx.signal, this.shutdown.signal]);
    let release = () => {};
    try {
      release = await this.querySlot(ctx);
      const execution = await this.run({ ...ctx, signal }, request, trail, startedAt, meter);
      return {
        ...execution,
        chunks: untilEnd(execution.chunks, () => {
          release();
          end();
        }),
      };
    } catch (error) {
      release();
      end();
      trail.failed(error);
      throw error;
    }
  }

  /**
   * One of the caller's concurrent-query slots, given back exactly once: when
   * the result ends (completed, failed or abandoned), when the query fails
   * before it, or when the caller goes away — whichever comes first.
   */
  private async querySlot(ctx: RequestContext): Promise<() => void> {
    if (!this.deps.rateLimits) return () => {};
    const deadline = Math.min(
      ctx.deadline ?? Number.POSITIVE_INFINITY,
      Date.now() + this.deps.config.timeout_ms,
    );
    const giveBack = await this.deps.rateLimits.acquireQuerySlot(
      ctx.principal,
      Math.max(1, deadline - Date.now()) + SLOT_LEASE_MARGIN_MS,
    );
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      ctx.signal.removeEventListener('abort', release);
      giveBack();
    };
    if (ctx.signal.aborted) release();
    else ctx.signal.addEventListener('abort', release, { once: true });
    return release;
  }

  private async run(
    ctx: RequestContext,
    request: QueryRequest,
    trail: QueryAuditTrail,
    startedAt: number,
    meter: QueryMeter | undefined,
  ): Promise<QueryExecution> {
    requireScope(ctx.principal, 'query');
    this.checkSql(request.sql);
    if (!Number.isSafeInteger(request.limit) || request.limit < 0) {
      throw TributaryError.invalid('limit must be a non-negative integer');
    }
    const analyzed = await this.deps.analysis.analyze(request.sql, request.params);
    const queryId = newQueryId();
    request.onQueryId?.(queryId);
    trail.describe({
      queryId,
      tables: analyzed.tables.map((t) => `${t.source}.${t.schema}.${t.table}`),
      columns: analyzed.columns.map((c) =>
        c.table ? `${c.table.source}.${c.table.schema}.${c.table.table}.${c.column}` : c.column,
      ),
    });
    // Authorize, then replace every governed table with its filtered, masked projection.
    const governed = await this.authorize(ctx, analyzed, request);
    trail.describe({
      filters: governed.decision.tables.flatMap((t) => [...t.applied.filters, ...t.applied.protections]),
      masks: governed.decision.tables.flatMap((t) => [...t.applied.masks, ...t.applied.tagRules]),
    });
    const route = routeQuery(
      analyzed.tables.map((t) => t.source),
      this.deps.registry,
    );
    const tenant = ctx.principal.tenant;
    const limits = await this.deps.limits.of(tenant);
    const now = Date.now();
    const tenantDeadline = limits.maxExecutionMs > 0 ? now + limits.maxExecutionMs : Number.POSITIVE_INFINITY;
    const deadline = Math.min(
      ctx.deadline ?? Number.POSITIVE_INFINITY,
      now + this.deps.config.timeout_ms,
      tenantDeadline,
    );
    const log = ctx.logger.child({ queryId });
    const summary = {
      subject: ctx.principal.subject,
      protocol: ctx.protocol,
      tables: analyzed.tables.map((t) => `${t.source}.${t.schema}.${t.table}`),
    };
    log.debug(summary, 'query started');
    const cache = this.deps.cache;
    const sources = [...new Set(analyzed.tables.map((t) => t.source.toLowerCase()))];
    const ttl = cache?.ttlFor(sources) ?? 0;
    let cacheKey: string | undefined;
    if (cache && ttl > 0) {
      cacheKey = cache.keyFor({
        tenant,
        // The tenant's limits shape results too (rows, bytes).
        policyStamp: `${await this.deps.governance.policyStamp(tenant)}|${JSON.stringify(limits)}`,
        sql: governed.sql,
        params: governed.params,
        limit: request.limit,
        sources: Object.fromEntries(sources.map((s) => [s, this.sourceVersion(s)])),
      });
      const hit = await cache.lookup(cacheKey);
      if (hit) {
        trail.describe({ fromCache: true });
        return {
          queryId,
          chunks: trail.follow(
            measure(
              logCompletion(replay(hit, queryId, startedAt), log, { ...summary, fromCache: true }),
              meter,
            ),
          ),
        };
      }
    }
    const attempts: EdgeAttempt[] = [];
    trail.describe({ attempts });
    const edgeQuery = {
      queryId,
      sql: governed.sql,
      params: governed.params,
      maxRows: request.limit,
      deadline,
      deadlineLimitMs: deadline === tenantDeadline ? limits.maxExecutionMs : undefined,
      startedAt,
      tenant,
      limits,
    };
    const executeDeps = {
      registry: this.deps.registry,
      slots: this.deps.slots,
      maxAttempts: this.deps.config.max_attempts,
      onAttempt: (attempt: EdgeAttempt) => attempts.push(attempt),
      shutdown: this.shutdown.signal,
    };
    const record = (chunks: AsyncIterable<QueryResultChunk__Input>) =>
      cache && cacheKey ? cache.recording(cacheKey, ttl, chunks) : chunks;
    if (route.federated) {
      const run = ++federatedRuns;
      const plan = await this.split(
        governed,
        request.params.length,
        analyzed.columns,
        (n) => `q${run}_f${n}`,
      );
      log.debug({ fragments: plan.fragments.length }, 'query split across edges');
      const started = await startFederated(
        plan,
        edgeQuery,
        { ...ctx, logger: log },
        {
          ...executeDeps,
          engine: this.deps.federation.engine,
          codec: this.deps.federation.codec,
          sizes: this.deps.federation.sizes,
        },
      );
      return {
        queryId,
        chunks: trail.follow(
          measure(logCompletion(record(started.chunks), log, { ...summary, edges: started.edges }), meter),
        ),
      };
    }
    const started = await startOnEdge(route.candidates, edgeQuery, { ...ctx, logger: log }, executeDeps);
    const chunks = record(started.chunks);
    return {
      queryId,
      chunks: trail.follow(
        measure(logCompletion(chunks, log, { ...summary, edge: started.edge.name }), meter),
      ),
    };
  }

  private split(
    governed: { sql: string; params: SqlValue[] },
    callerParams: number,
    columns: Awaited<ReturnType<QueryAnalysis['analyze']>>['columns'],
    tableName: (n: number) => string = (n) => `f${n}`,
  ): Promise<FederatedPlan> {
    const input = { sql: governed.sql, params: governed.params, callerParams, columns };
    const { plans, codec } = this.deps.federation;
    return plans ? plans.split(input, tableName) : splitQuery(codec, { ...input, tableName });
  }

  private async authorize(
    ctx: RequestContext,
    analyzed: Awaited<ReturnType<QueryAnalysis['analyze']>>,
    request: QueryRequest,
  ): ReturnType<Governance['enforce']> {
    try {
      const governed = await this.deps.governance.enforce(
        ctx.principal,
        analyzed,
        request.sql,
        request.params,
      );
      this.deps.metrics?.policyDecisions.inc({ decision: 'allowed' });
      return governed;
    } catch (error) {
      if (error instanceof TributaryError && error.code === 'QUERY_UNAUTHORIZED') {
        this.deps.metrics?.policyDecisions.inc({ decision: 'refused' });
      }
      throw error;
    }
  }

  /**
   * Which registrations serve a source, and its catalog version (bumped when
   * a schema refresh finds a change): every replica sees the same edge ids, so they agree.
   */
  private sourceVersion(source: string): string {
    const edges = this.deps.registry
      .edgesFor(source)
      .map((edge) => edge.id)
      .sort()
      .join(',');
    return `${edges}#${this.deps.registry.sourceVersion(source)}`;
  }

  async validate(
    ctx: RequestContext,
    sql: string,
    params: SqlValue[],
  ): Promise<ValidateQueryResponse__Input> {
    this.checkSql(sql);
    try {
      // Without values, placeholders are checked for shape only.
      const analyzed = await this.deps.analysis.analyze(sql, params.length > 0 ? params : undefined);
      const decision = await this.deps.governance.decide(ctx.principal, analyzed);
      if (!decision.allowed) throw unauthorizedError(decision);
      const route = routeQuery(
        analyzed.tables.map((t) => t.source),
        this.deps.registry,
      );
      const plan = await this.explain(ctx, analyzed, sql, params, route);
      return {
        valid: true,
        statement_type: analyzed.statementType,
        tables: [...analyzed.tables],
        columns: [...analyzed.columns],
        output_columns: analyzed.outputColumns.map((c) => ({
          name: c.name,
          sql_type: c.sqlType,
          nullable: true,
        })),
        edges: route.federated
          ? plan.fragments.flatMap((f) => f.edges.slice(0, 1))
          : route.candidates.map((edge) => edge.name),
        access: decision.tables.map(accessInfo),
        plan,
      };
    } catch (error) {
      if (!(error instanceof TributaryError) || error.code === 'INTERNAL') throw error;
      ctx.logger.debug({ code: error.code }, 'query did not validate');
      const position = Number(error.details?.position ?? 0);
      return {
        valid: false,
        error: {
          code: error.code,
          message: error.message,
          position: Number.isFinite(position) ? position : 0,
        },
      };
    }
  }

  /**
   * How the query would run: whole on one edge, or split into fragments
   * per edge and a query at the coordinator. Placeholders without values
   * are planned as NULLs (the plan's shape does not depend on values).
   */
  private async explain(
    ctx: RequestContext,
    analyzed: Awaited<ReturnType<QueryAnalysis['analyze']>>,
    sql: string,
    params: SqlValue[],
    route: Route,
  ) {
    const values =
      params.length >= analyzed.parameterCount
        ? params
        : [...params, ...Array.from({ length: analyzed.parameterCount - params.length }, () => null)];
    let split: FederatedPlan | undefined;
    if (route.federated) {
      const governed = await this.deps.governance.enforce(ctx.principal, analyzed, sql, values);
      split = await this.split(governed, values.length, analyzed.columns);
    }
    return explainPlan(route, split, this.deps.registry);
  }

  /** Builds SQL over what the caller may see: a table it cannot read is NOT_FOUND, denied columns are left out. */
  async build(ctx: RequestContext, request: BuildQueryRequest): Promise<BuildQueryResponse__Input> {
    requireScope(ctx.principal, 'query');
    const table = this.deps.catalog.snapshot().resolve(request.table);
    const explanation = await this.deps.governance.explain(ctx.principal, request.table);
    if (!explanation.readable) {
      throw TributaryError.notFound(`table ${request.table} not found`, { table: request.table });
    }
    const denied = new Set(explanation.columns.filter((c) => c.access === 'denied').map((c) => c.name));
    return buildQuery(request, {
      source: table.ref.source,
      schema: table.ref.schema,
      table: table.ref.table,
      columns: table.columns
        .filter((c) => !denied.has(c.name))
        .map((c) => ({ name: c.name, sqlType: c.sql_type })),
    });
  }
}

async function* logCompletion(
  chunks: AsyncIterable<QueryResultChunk__Input>,
  log: RequestContext['logger'],
  fields: Record<string, unknown>,
): AsyncGenerator<QueryResultChunk__Input> {
  try {
    for await (const chunk of chunks) {
      if (chunk.metadata) {
        log.info(
          {
            ...fields,
            rows: Number(chunk.metadata.row_count),
            bytes: Number(chunk.metadata.bytes),
            ms: Number(chunk.metadata.execution_time_ms),
          },
          'query finished',
        );
      }
      yield chunk;
    }
  } catch (error) {
    const failure = error instanceof TributaryError ? error : undefined;
    log.warn({ ...fields, code: failure?.code ?? 'INTERNAL', err: (error as Error).message }, 'query failed');
    throw error;
  }
}

/** Passes a result through and calls `end` once, however the result ends. */
async function* untilEnd<T>(chunks: AsyncIterable<T>, end: () => void): AsyncGenerator<T> {
  try {
    yield* chunks;
  } finally {
    end();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Counts rows and bytes as they stream, so a result cut short still counts what was sent. */
async function* measure(
  chunks: AsyncIterable<QueryResultChunk__Input>,
  meter: QueryMeter | undefined,
): AsyncGenerator<QueryResultChunk__Input> {
  for await (const chunk of chunks) {
    if (chunk.arrow && meter)
      meter.streamed(Number(chunk.arrow.row_count ?? 0), chunk.arrow.ipc?.length ?? 0);
    yield chunk;
  }
}

/** A cached result as a fresh query's chunks, with its own metadata. */
async function* replay(
  result: CachedResult,
  queryId: string,
  startedAt: number,
): AsyncGenerator<QueryResultChunk__Input> {
  let batches = 0;
  for (const chunk of cachedChunks(result)) {
    if (Number(chunk.arrow?.row_count ?? 0) > 0) batches++;
    yield chunk;
  }
  yield {
    metadata: {
      query_id: queryId,
      row_count: result.rows,
      execution_time_ms: Math.round(performance.now() - startedAt),
      from_cache: true,
      bytes: result.ipc.byteLength,
      batch_count: batches,
      truncated: result.truncated,
      edges: [],
    },
  };
}

export function paramsFromProto(values: Parameters<typeof fromProtoValue>[0][]): SqlValue[] {
  return values.map(fromProtoValue);
}
