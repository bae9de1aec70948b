import {
  type QueryMetadata,
  type QueryResultChunk,
  type QueryResultChunk__Input,
  type SqlValue,
  TributaryError,
  toProtoValue,
} from '@tributary/core';
import type { EdgeRegistry, RegisteredEdge } from '../../catalog/index.js';
import type { RequestContext } from '../../context.js';

export interface EdgeQuery {
  queryId: string;
  sql: string;
  params: SqlValue[];
  maxRows: number;
  deadline: number;
  /** performance.now() when the request arrived, so timings cover analysis and routing too. */
  startedAt: number;
}

export interface StartedQuery {
  edge: RegisteredEdge;
  /** The result, schema first, then batches, then one metadata chunk written by the coordinator. */
  chunks: AsyncIterable<QueryResultChunk__Input>;
}

/**
 * Starts a query on the first candidate edge that answers, and resolves
 * once the edge has sent its schema: by then the query is known to run, so
 * a transport can still report a refusal with a proper status. An edge that
 * cannot be reached before that point is marked down and the next candidate
 * is tried; after rows have flowed, a failure reaches the caller as an error,
 * never as a silently short result.
 */
export async function startOnEdge(
  candidates: readonly RegisteredEdge[],
  query: EdgeQuery,
  ctx: RequestContext,
  registry: EdgeRegistry,
): Promise<StartedQuery> {
  let lastError: unknown;
  // One transient failure (a dropped connection) should not cost a healthy
  // edge its place: the last candidate gets a second attempt, and a failed
  // edge is only sorted behind others until heartbeats prove it gone.
  const attempts =
    candidates.length > 0 ? [...candidates, candidates[candidates.length - 1] as RegisteredEdge] : [];
  for (const [index, edge] of attempts.entries()) {
    if (index === candidates.length && !edge.client.reachable) break;
    const stream = edge.client.query(
      {
        query_id: query.queryId,
        sql: query.sql,
        params: query.params.map(toProtoValue),
        max_rows: query.maxRows,
        timeout_ms: Math.max(1, query.deadline - Date.now()),
        request_id: ctx.requestId,
      },
      { requestId: ctx.requestId, signal: ctx.signal, deadline: query.deadline },
    );
    let first: IteratorResult<QueryResultChunk>;
    try {
      first = await stream.next();
    } catch (error) {
      lastError = error;
      if (error instanceof TributaryError && error.code === 'UNAVAILABLE' && !ctx.signal.aborted) {
        ctx.logger.warn({ edge: edge.name, err: error.message }, 'edge unreachable, trying again');
        registry.reportFailure(edge.id);
        continue;
      }
      throw error;
    }
    return { edge, chunks: relay(edge, first, stream, query) };
  }
  throw lastError ?? TributaryError.unavailable('no edge could run the query');
}

async function* relay(
  edge: RegisteredEdge,
  first: IteratorResult<QueryResultChunk>,
  rest: AsyncGenerator<QueryResultChunk>,
  query: EdgeQuery,
): AsyncGenerator<QueryResultChunk__Input> {
  let rows = 0;
  let bytes = 0;
  let batches = 0;
  let edgeMetadata: QueryMetadata | undefined;
  let current = first;
  while (!current.done) {
    const chunk = current.value;
    if (chunk.arrow) {
      const count = Number(chunk.arrow.row_count);
      rows += count;
      bytes += chunk.arrow.ipc.byteLength;
      if (count > 0) batches++;
      // Forwarded as received: the IPC bytes are never decoded here.
      yield chunk;
    } else if (chunk.metadata) {
      edgeMetadata = chunk.metadata;
    }
    current = await rest.next();
  }
  if (!edgeMetadata) {
    throw TributaryError.unavailable(`edge ${edge.name} ended the result without completing it`, {
      edge: edge.name,
    });
  }
  yield {
    metadata: {
      query_id: query.queryId,
      row_count: rows,
      execution_time_ms: Math.round(performance.now() - query.startedAt),
      from_cache: false,
      bytes,
      batch_count: batches,
      truncated: edgeMetadata.truncated,
      edges: [edge.name],
    },
  };
}
