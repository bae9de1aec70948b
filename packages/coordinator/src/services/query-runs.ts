import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { type Logger, TributaryError, toTributaryError } from '@tributary/core';
import type { Schema } from 'apache-arrow';
import { isTenantAdmin, requireScope } from '../auth/index.js';
import type { RequestContext } from '../context.js';
import {
  ACTIVE_STATUSES,
  type QueryRunRecord,
  type QueryRunStatus,
  type QueryRunStore,
  type ResultFiles,
  type ResultSlice,
} from '../runs/index.js';
import { decodeCursor, encodeCursor } from '../store/cursor.js';
import type { Page } from '../store/index.js';
import type { QueryRequest, QueryService } from './query-service.js';
import { metadataJson, resultIpc } from './result-ipc.js';

export interface QueryRunSettings {
  /** How long a finished run and its result are kept. */
  resultTtlMs: number;
  /** The largest result file a run may write; larger results fail the run. */
  maxResultBytes: number;
  /** Runs executing at once in this process; more wait as `queued`. */
  maxConcurrent: number;
}

export interface QueryRunServiceDeps {
  query: QueryService;
  store: QueryRunStore;
  results: ResultFiles;
  settings: QueryRunSettings;
  logger: Logger;
  clock?: () => number;
}

export interface SubmitOptions {
  /** How long to wait for the run to finish before answering with its state. */
  waitMs?: number;
  savedQuery?: { id: string; version: number };
}

export interface RunListRequest {
  status?: QueryRunStatus;
  pageSize: number;
  pageToken?: string;
}

/** Rows of a succeeded run's result, from a cursor position. */
export interface ResultPage extends ResultSlice {
  run: QueryRunRecord;
  offset: number;
  /** Where the next page starts; absent on the last page or when no limit was asked for. */
  nextCursor?: string;
  schema: Schema;
}

const RUN_ID = /^run_[A-Za-z0-9_-]{16}$/;
const MAX_PAGE_SIZE = 1_000;
const DEFAULT_PAGE_SIZE = 100;

const isAdmin = (ctx: RequestContext) => isTenantAdmin(ctx.principal);

/**
 * Query runs: a query executed apart from the request that submitted it, its
 * result stored for a while and read back in pages. The run calls the same
 * QueryService.execute as a synchronous query, with the submitter's
 * principal and request id, so authentication, governance and audit are
 * exactly those of the synchronous path. A run is visible to its submitter
 * and to the tenant's admins; only the submitter reads its result, which was
 * governed for it. Protocol-free.
 */
export class QueryRunService {
  /** Runs executing in this process, by id: a cancel aborts through these. */
  private readonly local = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  private sweeper: NodeJS.Timeout | undefined;
  private unwatch: (() => void) | undefined;
  private readonly clock: () => number;

  constructor(private readonly deps: QueryRunServiceDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /** Removes result files no run refers to, then expires finished runs periodically. */
  async start(): Promise<void> {
    this.unwatch = this.deps.store.watch((record) => {
      if (record.status === 'cancelled') {
        this.local
          .get(record.id)
          ?.controller.abort(new TributaryError('CANCELLED', 'the query run was cancelled'));
      }
    });
    for (const id of await this.deps.results.ids()) {
      if (!(await this.deps.store.get(id))) await this.deps.results.remove(id);
    }
    const interval = Math.min(60_000, Math.max(1_000, Math.floor(this.deps.settings.resultTtlMs / 2)));
    this.sweeper = setInterval(() => {
      this.expire().catch((error) => this.deps.logger.warn({ err: error }, 'expiring query runs failed'));
    }, interval);
    this.sweeper.unref();
  }

  /** Stops every run executing here; they end as failed (UNAVAILABLE). */
  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    this.unwatch?.();
    const running = [...this.local.entries()];
    for (const [id, run] of running) {
      await this.finish(id, 'failed', {
        error: { code: 'UNAVAILABLE', message: 'the coordinator stopped while the query ran' },
      });
      run.controller.abort(TributaryError.unavailable('the coordinator is stopping'));
    }
    await Promise.all(running.map(([, run]) => run.done));
  }

  /** Removes finished runs past their expiry and their results. */
  async expire(): Promise<number> {
    const ids = await this.deps.store.expired(this.clock());
    for (const id of ids) {
      await this.deps.store.delete(id);
      await this.deps.results.remove(id);
    }
    return ids.length;
  }

  /**
   * Starts a run and answers at once with it (queued or running), or, with
   * `waitMs`, as soon as it finishes or when `waitMs` has passed.
   */
  async submit(
    ctx: RequestContext,
    request: QueryRequest,
    options: SubmitOptions = {},
  ): Promise<QueryRunRecord> {
    requireScope(ctx.principal, 'query');
    const record: QueryRunRecord = {
      id: `run_${randomBytes(12).toString('base64url')}`,
      tenant: ctx.principal.tenant,
      owner: ctx.principal.subject,
      status: 'queued',
      sql: request.sql,
      requestId: ctx.requestId,
      savedQuery: options.savedQuery,
      createdAt: this.clock(),
    };
    await this.deps.store.create(record);
    const controller = new AbortController();
    const done = this.execute(record, ctx, request, controller);
    this.local.set(record.id, { controller, done });
    if (options.waitMs && options.waitMs > 0) {
      const timer = new AbortController();
      await Promise.race([
        done,
        delay(options.waitMs, undefined, { signal: timer.signal }).catch(() => undefined),
      ]);
      timer.abort();
    }
    return (await this.deps.store.get(record.id)) ?? record;
  }

  async get(ctx: RequestContext, id: string): Promise<QueryRunRecord> {
    return this.visible(ctx, id);
  }

  /** The caller's runs, newest first; an admin sees every run of the tenant. */
  async list(ctx: RequestContext, request: RunListRequest): Promise<Page<QueryRunRecord>> {
    requireScope(ctx.principal, 'query');
    const size = request.pageSize || DEFAULT_PAGE_SIZE;
    if (!Number.isSafeInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
      throw TributaryError.invalid(`page_size must be between 1 and ${MAX_PAGE_SIZE}`);
    }
    return this.deps.store.list(ctx.principal.tenant, {
      owner: isAdmin(ctx) ? undefined : ctx.principal.subject,
      status: request.status,
      limit: size,
      cursor: request.pageToken || undefined,
    });
  }

  /**
   * Cancels a queued or running run (the query stops at the edge; the run
   * stays, `cancelled`, until it expires) and returns it; a finished run is
   * removed with its result instead, and undefined returned.
   */
  async cancel(ctx: RequestContext, id: string): Promise<QueryRunRecord | undefined> {
    const run = await this.visible(ctx, id);
    if (ACTIVE_STATUSES.includes(run.status)) {
      const cancelled = await this.finish(id, 'cancelled', {
        error: { code: 'CANCELLED', message: `cancelled by ${ctx.principal.subject}` },
      });
      if (cancelled) {
        ctx.logger.info({ queryRunId: id }, 'query run cancelled');
        return cancelled;
      }
    }
    await this.deps.store.delete(id);
    await this.deps.results.remove(id);
    return undefined;
  }

  /**
   * Rows of a succeeded run's result: `limit` rows (all remaining when
   * undefined) from the cursor's position. Only the run's submitter reads it.
   */
  async readResult(
    ctx: RequestContext,
    id: string,
    request: { limit?: number; cursor?: string },
  ): Promise<ResultPage> {
    const run = await this.visible(ctx, id);
    if (run.owner !== ctx.principal.subject) throw TributaryError.notFound(`result ${id} not found`);
    if (run.status !== 'succeeded') {
      const why =
        run.status === 'failed' || run.status === 'cancelled'
          ? `query run ${id} ${run.status}${run.error ? `: ${run.error.code}` : ''}`
          : `query run ${id} is ${run.status}; its result is not ready`;
      throw new TributaryError('CONFLICT', why, { status: run.status });
    }
    if (request.limit !== undefined && (!Number.isSafeInteger(request.limit) || request.limit < 1)) {
      throw TributaryError.invalid('limit must be a positive integer');
    }
    const offset = request.cursor ? this.decodeResultCursor(id, request.cursor) : 0;
    if (offset > (run.rowCount ?? 0)) throw TributaryError.invalid('cursor is past the end of the result');
    const slice = await this.deps.results.read(id, offset, request.limit);
    const end = request.limit === undefined ? slice.totalRows : offset + request.limit;
    return {
      ...slice,
      run,
      offset,
      nextCursor: end < slice.totalRows ? encodeCursor(`result:${id}`, end) : undefined,
    };
  }

  private decodeResultCursor(id: string, cursor: string): number {
    let offset: string | number;
    try {
      offset = decodeCursor(`result:${id}`, cursor);
    } catch {
      offset = -1;
    }
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
      throw TributaryError.invalid('cursor is not one this API issued for this result');
    }
    return offset;
  }

  /** The run, if the caller may see it: its submitter or an admin of its tenant. NOT_FOUND otherwise. */
  private async visible(ctx: RequestContext, id: string): Promise<QueryRunRecord> {
    requireScope(ctx.principal, 'query');
    const run = RUN_ID.test(id) ? await this.deps.store.get(id) : undefined;
    if (
      !run ||
      run.tenant !== ctx.principal.tenant ||
      (run.owner !== ctx.principal.subject && !isAdmin(ctx))
    ) {
      throw TributaryError.notFound(`query run ${id} not found`);
    }
    return run;
  }

  private finish(
    id: string,
    status: 'succeeded' | 'failed' | 'cancelled',
    change: Partial<QueryRunRecord>,
  ): Promise<QueryRunRecord | undefined> {
    const finishedAt = this.clock();
    return this.deps.store.transition(id, ACTIVE_STATUSES, {
      ...change,
      status,
      finishedAt,
      expiresAt: finishedAt + this.deps.settings.resultTtlMs,
    });
  }

  /** Runs the query and stores its outcome; never rejects. */
  private async execute(
    record: QueryRunRecord,
    ctx: RequestContext,
    request: QueryRequest,
    controller: AbortController,
  ): Promise<void> {
    const { id } = record;
    const logger = ctx.logger.child({ queryRunId: id });
    // The run outlives the request that submitted it: its own signal, the same principal and request id.
    const runCtx: RequestContext = {
      requestId: ctx.requestId,
      principal: ctx.principal,
      protocol: ctx.protocol,
      signal: controller.signal,
      logger,
    };
    try {
      await this.acquire(controller.signal);
      try {
        const running = await this.deps.store.transition(id, ['queued'], {
          status: 'running',
          startedAt: this.clock(),
        });
        if (!running) return;
        const execution = await this.deps.query.execute(runCtx, request);
        await this.deps.store.transition(id, ['running'], { queryId: execution.queryId });
        const result = resultIpc(execution);
        const stored = await this.deps.results.write(id, result.ipc, this.deps.settings.maxResultBytes);
        const succeeded = await this.finish(id, 'succeeded', {
          metadata: metadataJson(result.metadata() ?? {}),
          rowCount: stored.rows,
          resultBytes: stored.bytes,
        });
        if (!succeeded) await this.deps.results.remove(id);
        else logger.info({ rows: stored.rows, bytes: stored.bytes }, 'query run succeeded');
      } finally {
        this.release();
      }
    } catch (error) {
      controller.abort(error);
      const failure = toTributaryError(error);
      if (failure.code === 'INTERNAL') logger.error({ err: error }, 'query run failed');
      const failed = await this.finish(id, 'failed', {
        error: {
          code: failure.code,
          message: failure.message,
          ...(failure.details ? { details: failure.details } : {}),
        },
      }).catch(() => undefined);
      if (failed) logger.info({ code: failure.code }, 'query run failed');
    } finally {
      this.local.delete(id);
    }
  }

  /** Waits for one of `maxConcurrent` slots; CANCELLED if the run is cancelled while it waits. */
  private acquire(signal: AbortSignal): Promise<void> {
    if (this.active < this.deps.settings.maxConcurrent) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(grant);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new TributaryError('CANCELLED', 'the query run was cancelled'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  /** Hands the slot to the next waiting run, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
