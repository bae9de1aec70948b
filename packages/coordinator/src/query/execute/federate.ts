import type { QueryResultChunk__Input } from '@tributary/core';
import { TributaryError, toTributaryError } from '@tributary/core';
import type { IpcChunk, QueryEngine } from '@tributary/engine';
import type { RequestContext } from '../../context.js';
import { edgesServing } from '../plan/route.js';
import type { FederatedPlan, Fragment } from '../plan/split.js';
import { type EdgeQuery, type ExecuteDeps, startOnEdge } from './run-on-edge.js';

export interface FederationDeps extends ExecuteDeps {
  /** The coordinator's own DuckDB, where fragments are loaded and the rest of the query runs. */
  engine: QueryEngine;
}

export interface StartedFederation {
  /** Edges that ran a fragment, in fragment order (distinct). */
  edges: string[];
  chunks: AsyncIterable<QueryResultChunk__Input>;
}

/**
 * Runs a split query: every fragment on an edge serving its source (with
 * the usual replica choice and retries before the first rows), each result
 * loaded as it streams into a table of the coordinator's DuckDB, then the
 * coordinator's query over those tables, streamed out as Arrow IPC like an
 * edge's result. Resolves once that result has begun (its schema and first
 * batch, or its end), so failures keep their status. The fragments' tables
 * are dropped however the result ends.
 */
export async function startFederated(
  plan: FederatedPlan,
  query: EdgeQuery,
  ctx: RequestContext,
  deps: FederationDeps,
): Promise<StartedFederation> {
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  const fragmentCtx = { ...ctx, signal };
  const created: string[] = [];
  const dropAll = async () => {
    await Promise.all(created.map((name) => deps.engine.dropTable(name).catch(() => undefined)));
  };
  const edges: string[] = [];
  try {
    await Promise.all(
      plan.fragments.map(async (fragment, index) => {
        try {
          const edge = await loadFragment(
            fragment,
            fragment.localTable,
            index,
            query,
            fragmentCtx,
            deps,
            created,
          );
          if (!edges.includes(edge)) edges.push(edge);
        } catch (error) {
          stop.abort(error);
          throw error;
        }
      }),
    );
  } catch (error) {
    await dropAll();
    throw ctx.signal.aborted ? toTributaryError(error) : firstCause(error, stop.signal);
  }

  const loadedAt = performance.now();
  const { maxRows } = query.limits;
  const engineMaxRows =
    maxRows > 0 && (query.maxRows === 0 || query.maxRows > maxRows) ? maxRows + 1 : query.maxRows;
  const stream = deps.engine.stream(plan.localSql, plan.localParams, {
    signal: ctx.signal,
    timeoutMs: Math.max(1, query.deadline - Date.now()),
    maxRows: engineMaxRows,
  });
  const iterator = stream[Symbol.asyncIterator]();
  const held: IpcChunk[] = [];
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      held.push(next.value);
      if (next.value.rowCount > 0) break;
    }
  } catch (error) {
    await iterator.return(undefined);
    await dropAll();
    throw error;
  }
  ctx.logger.debug({ ms: Math.round(performance.now() - loadedAt) }, 'coordinator query began');
  async function* relay(): AsyncGenerator<QueryResultChunk__Input> {
    const counts = { rows: 0, bytes: 0, batches: 0 };
    const emit = (chunk: IpcChunk): QueryResultChunk__Input => {
      counts.rows += chunk.rowCount;
      counts.bytes += chunk.ipc.byteLength;
      if (chunk.rowCount > 0) counts.batches++;
      checkLimits(counts, query);
      return { arrow: { ipc: chunk.ipc, row_count: chunk.rowCount } };
    };
    try {
      for (const chunk of held) yield emit(chunk);
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        yield emit(next.value);
      }
      yield {
        metadata: {
          query_id: query.queryId,
          row_count: counts.rows,
          execution_time_ms: Math.round(performance.now() - query.startedAt),
          from_cache: false,
          bytes: counts.bytes,
          batch_count: counts.batches,
          truncated: stream.summary.truncated,
          edges,
        },
      };
    } finally {
      await iterator.return(undefined);
      await dropAll();
    }
  }
  return { edges, chunks: relay() };
}

/** Runs one fragment on its source's edges and loads its result; resolves with the edge that ran it. */
async function loadFragment(
  fragment: Fragment,
  name: string,
  index: number,
  query: EdgeQuery,
  ctx: RequestContext,
  deps: FederationDeps,
  created: string[],
): Promise<string> {
  const began = performance.now();
  const started = await startOnEdge(
    edgesServing(fragment.table.source, deps.registry),
    {
      ...query,
      queryId: `${query.queryId}.${index + 1}`,
      sql: fragment.sql,
      params: fragment.params,
      // The caller's and the tenant's row and byte limits apply to the final result, not to fragments.
      maxRows: 0,
      limits: { ...query.limits, maxRows: 0, maxBytes: 0 },
    },
    ctx,
    deps,
  );
  created.push(name);
  const loaded = await deps.engine.load(name, ipcOf(started.chunks), {
    signal: ctx.signal,
    timeoutMs: Math.max(1, query.deadline - Date.now()),
  });
  ctx.logger.debug(
    {
      fragment: index + 1,
      table: `${fragment.table.source}.${fragment.table.schema}.${fragment.table.table}`,
      edge: started.edge.name,
      rows: loaded.rowCount,
      bytes: loaded.bytes,
      ms: Math.round(performance.now() - began),
    },
    'fragment loaded',
  );
  return started.edge.name;
}

async function* ipcOf(chunks: AsyncIterable<QueryResultChunk__Input>): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    const ipc = chunk.arrow?.ipc;
    if (ipc && typeof ipc !== 'string') yield ipc as Uint8Array;
  }
}

function checkLimits(counts: { rows: number; bytes: number }, query: EdgeQuery): void {
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

/** The failure that stopped the other fragments, rather than the cancellations it caused. */
function firstCause(error: unknown, stopped: AbortSignal): TributaryError {
  return toTributaryError(stopped.aborted && stopped.reason !== undefined ? stopped.reason : error);
}
