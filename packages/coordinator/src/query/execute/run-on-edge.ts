import {
  formatTraceparent,
  type QueryMetadata,
  type QueryResultChunk,
  type QueryResultChunk__Input,
  type SqlValue,
  TributaryError,
  toProtoValue,
  toTributaryError,
} from '@tributary/core';
import type { EdgeRegistry, RegisteredEdge } from '../../catalog/index.js';
import type { RequestContext } from '../../context.js';
import type { EdgeSlots, QueryLimits } from '../../limits/index.js';

export interface EdgeQuery {
  queryId: string;
  sql: string;
  params: SqlValue[];
  /** The caller's row limit: the result stops there and says `truncated`. 0: none. */
  maxRows: number;
  deadline: number;
  /** Set when the tenant's execution limit is what sets `deadline`; says so in DEADLINE_EXCEEDED. */
  deadlineLimitMs?: number;
  /** performance.now() when the request arrived, so timings cover analysis and routing too. */
  startedAt: number;
  tenant: string;
  limits: QueryLimits;
  /** Used only once complete (a federated query's fragment): the edge computes it whole first (`EdgeQueryRequest.whole`). */
  whole?: boolean;
}

/** One try of a query on one edge, as the audit log records it. */
export interface EdgeAttempt {
  edge: string;
  /** The error model's code when this try failed; absent for the try that ran the query. */
  errorCode?: string;
  message?: string;
}

export interface ExecuteDeps {
  registry: EdgeRegistry;
  slots: EdgeSlots;
  /** Tries of one query across replicas, the first included. */
  maxAttempts: number;
  /** Told about every try, failed or not, in order. */
  onAttempt?: (attempt: EdgeAttempt) => void;
  /** Fires when the coordinator is shutting down: running queries end as UNAVAILABLE. */
  shutdown?: AbortSignal;
}

export interface StartedQuery {
  edge: RegisteredEdge;
  /** The result, schema first, then batches, then one metadata chunk written by the coordinator. */
  chunks: AsyncIterable<QueryResultChunk__Input>;
}

/** How long a caller refused for the per-edge concurrency limit should wait before trying again. */
const RETRY_AFTER_MS = 1_000;

/**
 * Starts a query on the best replica that accepts it and resolves once the
 * result has really begun — its first record batch (or its end) has arrived
 * — so nothing has reached the caller yet and every failure up to that
 * point can still be reported with its proper status. An edge that fails
 * before then (unreachable, crashed, shutting down) is marked down and the
 * query is tried on the next replica, up to `maxAttempts` tries in all.
 * After that, a failure reaches the caller as an error (UNAVAILABLE when the
 * edge failed), never as a silently short result.
 */
export async function startOnEdge(
  candidates: readonly RegisteredEdge[],
  query: EdgeQuery,
  ctx: RequestContext,
  deps: ExecuteDeps,
): Promise<StartedQuery> {
  const { registry } = deps;
  let lastError: unknown;
  let attempts = 0;
  let limited = false;
  /** Edges not worth another try for this query (they accepted nothing in time, or refused it). */
  const spent = new Set<string>();
  for (let pass = 0; attempts < deps.maxAttempts; pass++) {
    let triedThisPass = false;
    for (const edge of candidates) {
      if (attempts >= deps.maxAttempts) break;
      if (spent.has(edge.id) || (pass > 0 && !edge.client.reachable)) continue;
      const releaseSlot = deps.slots.tryAcquire(query.tenant, edge.id, query.limits.maxConcurrentPerEdge);
      if (!releaseSlot) {
        limited = true;
        spent.add(edge.id);
        continue;
      }
      attempts++;
      triedThisPass = true;
      const untrack = registry.track(edge);
      const release = () => {
        releaseSlot();
        untrack();
      };
      try {
        const started = await begin(edge, query, ctx);
        deps.onAttempt?.({ edge: edge.name });
        return { edge, chunks: relay(edge, started, query, deps, release) };
      } catch (error) {
        release();
        const failure = stoppedBy(deps.shutdown) ?? toTributaryError(error);
        deps.onAttempt?.({ edge: edge.name, errorCode: failure.code, message: failure.message });
        lastError = failure;
        if (failure.code !== 'UNAVAILABLE' || ctx.signal.aborted || deps.shutdown?.aborted) throw failure;
        ctx.logger.warn(
          { edge: edge.name, err: failure.message, attempt: attempts },
          'edge failed, trying again',
        );
        registry.reportFailure(edge.id);
        if (failure.details?.reason === 'accept timeout') spent.add(edge.id);
      }
    }
    if (!triedThisPass) break;
  }
  if (limited && lastError === undefined) {
    const max = query.limits.maxConcurrentPerEdge;
    throw new TributaryError(
      'RATE_LIMITED',
      `tenant ${query.tenant} already runs ${max} ${max === 1 ? 'query' : 'queries'} on every edge serving this query (limit per edge: ${max}); try again shortly`,
      { limit: 'max_concurrent_queries_per_edge', max, retry_after_ms: RETRY_AFTER_MS },
    );
  }
  throw lastError ?? TributaryError.unavailable('no edge could run the query');
}

interface Begun {
  /** Chunks read ahead until the result began: the schema, then a batch or the edge's metadata. */
  held: QueryResultChunk[];
  rest: AsyncGenerator<QueryResultChunk>;
  counts: Counts;
}

interface Counts {
  rows: number;
  bytes: number;
  batches: number;
}

/** Calls the edge and reads until the first record batch or the end, checking the limits as it goes. */
async function begin(edge: RegisteredEdge, query: EdgeQuery, ctx: RequestContext): Promise<Begun> {
  const { maxRows } = query.limits;
  // Within the tenant's row limit the caller's own limit applies (a
  // truncated result, flagged); otherwise the edge stops one row past the
  // tenant's limit, which is how the coordinator learns it was exceeded.
  const edgeMaxRows =
    maxRows > 0 && (query.maxRows === 0 || query.maxRows > maxRows) ? maxRows + 1 : query.maxRows;
  const rest = edge.client.query(
    {
      query_id: query.queryId,
      sql: query.sql,
      params: query.params.map(toProtoValue),
      max_rows: edgeMaxRows,
      timeout_ms: Math.max(1, query.deadline - Date.now()),
      request_id: ctx.requestId,
      whole: query.whole === true,
    },
    {
      requestId: ctx.requestId,
      signal: ctx.signal,
      deadline: query.deadline,
      traceparent: ctx.trace ? formatTraceparent(ctx.trace) : undefined,
    },
  );
  const held: QueryResultChunk[] = [];
  const counts: Counts = { rows: 0, bytes: 0, batches: 0 };
  try {
    for (;;) {
      const next = await rest.next();
      if (next.done) break;
      held.push(next.value);
      count(next.value, counts, query);
      if (next.value.metadata || Number(next.value.arrow?.row_count ?? 0) > 0) break;
    }
  } catch (error) {
    await rest.return(undefined);
    throw withDeadlineCause(error, query);
  }
  return { held, rest, counts };
}

/** Adds a chunk to the running counts; throws PAYLOAD_TOO_LARGE once a tenant limit is passed. */
function count(chunk: QueryResultChunk, counts: Counts, query: EdgeQuery): void {
  if (!chunk.arrow) return;
  const rows = Number(chunk.arrow.row_count);
  counts.rows += rows;
  counts.bytes += chunk.arrow.ipc.byteLength;
  if (rows > 0) counts.batches++;
  checkResultLimits(counts, query);
}

/** Throws PAYLOAD_TOO_LARGE once a result passes the tenant's row or byte limit. */
export function checkResultLimits(counts: { rows: number; bytes: number }, query: EdgeQuery): void {
  const { maxRows, maxBytes } = query.limits;
  if (maxRows > 0 && counts.rows > maxRows) {
    throw new TributaryError(
      'PAYLOAD_TOO_LARGE',
      `the result has more than ${maxRows} rows, the limit for tenant ${query.tenant}; add a LIMIT or narrow the query`,
      { limit: 'max_rows', max: maxRows },
    );
  }
  if (maxBytes > 0 && counts.bytes > maxBytes) {
    throw new TributaryError(
      'PAYLOAD_TOO_LARGE',
      `the result is larger than ${maxBytes} bytes, the limit for tenant ${query.tenant}; select fewer rows or columns`,
      { limit: 'max_bytes', max: maxBytes },
    );
  }
}

/** The error a coordinator shutdown turns a running query's failure into. */
function stoppedBy(shutdown: AbortSignal | undefined): TributaryError | undefined {
  if (!shutdown?.aborted) return undefined;
  return TributaryError.unavailable('the coordinator shut down before the query finished');
}

function withDeadlineCause(error: unknown, query: EdgeQuery): unknown {
  if (
    query.deadlineLimitMs !== undefined &&
    error instanceof TributaryError &&
    error.code === 'DEADLINE_EXCEEDED'
  ) {
    return new TributaryError(
      'DEADLINE_EXCEEDED',
      `the query ran longer than ${query.deadlineLimitMs} ms, the limit for tenant ${query.tenant}`,
      { ...error.details, limit: 'max_execution_ms', max: query.deadlineLimitMs },
    );
  }
  return error;
}

async function* relay(
  edge: RegisteredEdge,
  started: Begun,
  query: EdgeQuery,
  deps: ExecuteDeps,
  release: () => void,
): AsyncGenerator<QueryResultChunk__Input> {
  const { counts, rest } = started;
  let edgeMetadata: QueryMetadata | undefined;
  try {
    for (const chunk of started.held) {
      if (chunk.metadata) edgeMetadata = chunk.metadata;
      // Forwarded as received: the IPC bytes are never decoded here.
      else yield chunk;
    }
    if (!edgeMetadata) {
      for (;;) {
        let next: IteratorResult<QueryResultChunk>;
        try {
          next = await rest.next();
        } catch (error) {
          throw midStreamFailure(error, edge, query, deps);
        }
        if (next.done) break;
        const chunk = next.value;
        if (chunk.metadata) {
          edgeMetadata = chunk.metadata;
          continue;
        }
        count(chunk, counts, query);
        yield chunk;
      }
    }
    if (!edgeMetadata) {
      deps.registry.reportFailure(edge.id);
      throw TributaryError.unavailable(
        `edge ${edge.name} ended the result without completing it; the result is incomplete`,
        { edge: edge.name },
      );
    }
    deps.registry.reportSuccess(edge.id);
    yield {
      metadata: {
        query_id: query.queryId,
        row_count: counts.rows,
        execution_time_ms: Math.round(performance.now() - query.startedAt),
        from_cache: false,
        bytes: counts.bytes,
        batch_count: counts.batches,
        truncated: edgeMetadata.truncated,
        edges: [edge.name],
      },
    };
  } finally {
    // Stops the edge when the caller or a limit ended the result early.
    await rest.return(undefined);
    release();
  }
}

/** A failure after rows reached the caller: the result is incomplete, and says so. */
function midStreamFailure(
  error: unknown,
  edge: RegisteredEdge,
  query: EdgeQuery,
  deps: ExecuteDeps,
): unknown {
  const stopped = stoppedBy(deps.shutdown);
  if (stopped) return stopped;
  const failure = withDeadlineCause(error, query);
  if (failure instanceof TributaryError && failure.code === 'UNAVAILABLE') {
    deps.registry.reportFailure(edge.id);
    return new TributaryError('UNAVAILABLE', `${failure.message}; the result is incomplete`, {
      ...failure.details,
      edge: edge.name,
      incomplete: true,
    });
  }
  return failure;
}
