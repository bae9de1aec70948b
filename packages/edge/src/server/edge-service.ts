import { Metadata, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import {
  acceptRequestId,
  acceptTraceContext,
  callSignal,
  type EdgeQueryRequest,
  type EdgeServiceHandlers,
  fromProtoValue,
  type GetSchemaRequest,
  type GetSchemaResponse__Input,
  type Logger,
  type PingRequest,
  type PingResponse__Input,
  pipeToServerStream,
  type QueryResultChunk__Input,
  type Source__Input,
  TRACEPARENT_KEY,
  TRIBUTARY_VERSION,
  TributaryError,
  toGrpcError,
  toTributaryError,
} from '@tributary/core';
import type { QueryEngine } from '@tributary/engine';
import type { EdgeMetrics } from '../metrics/index.js';
import type { QueryRouter, SourceConnector } from '../sources/index.js';
import type { CoordinatorTrust } from '../trust/coordinator-trust.js';

export interface EdgeServiceDeps {
  edgeName: string;
  engine: QueryEngine;
  /** Runs a query where it belongs: the engine, or a PostgreSQL source. */
  queries: QueryRouter;
  connectors: readonly SourceConnector[];
  trust: CoordinatorTrust;
  logger: Logger;
  metrics: EdgeMetrics;
  schema: () => Source__Input[];
  /** Rediscovers the named sources (every one when empty), or one table of the one named. */
  refreshSchema: (sources: string[], table?: string) => Promise<Source__Input[]>;
  startedAt: number;
  /** False while the edge shuts down: running queries finish, new ones are refused with UNAVAILABLE. */
  accepting?: () => boolean;
}

/** The three RPCs every edge serves. Each one first checks that the caller is the coordinator. */
export function edgeServiceHandlers(deps: EdgeServiceDeps): EdgeServiceHandlers {
  const { engine, trust, logger } = deps;

  function failUnary<T>(callback: sendUnaryData<T>, error: unknown, requestId: string, method: string): void {
    const failure = toTributaryError(error);
    if (failure.code === 'INTERNAL') logger.error({ err: error, requestId, method }, 'edge call failed');
    callback(toGrpcError(failure, requestId) as Parameters<sendUnaryData<T>>[0]);
  }

  return {
    async GetSchema(call: ServerUnaryCall<GetSchemaRequest, GetSchemaResponse__Input>, callback) {
      const requestId = acceptRequestId(call.metadata.get('x-request-id')[0]);
      try {
        await trust.verify(call.metadata);
        const all = call.request.refresh
          ? await deps.refreshSchema(call.request.sources, call.request.table || undefined)
          : deps.schema();
        const wanted = new Set(call.request.sources.map((s) => s.toLowerCase()));
        const sources = wanted.size === 0 ? all : all.filter((s) => wanted.has(String(s.name).toLowerCase()));
        callback(null, { sources });
      } catch (error) {
        failUnary(callback, error, requestId, 'GetSchema');
      }
    },

    async Ping(call: ServerUnaryCall<PingRequest, PingResponse__Input>, callback) {
      const requestId = acceptRequestId(call.metadata.get('x-request-id')[0]);
      try {
        await trust.verify(call.metadata);
        const sources = await Promise.all(
          deps.connectors.map(async (connector) => {
            const started = performance.now();
            try {
              await connector.probe();
              return {
                name: connector.name,
                healthy: true,
                latency_ms: Math.round(performance.now() - started),
              };
            } catch (error) {
              return { name: connector.name, healthy: false, message: (error as Error).message };
            }
          }),
        );
        callback(null, {
          version: TRIBUTARY_VERSION,
          uptime_ms: Date.now() - deps.startedAt,
          edge_name: deps.edgeName,
          sources,
          active_queries: engine.activeQueries,
        });
      } catch (error) {
        failUnary(callback, error, requestId, 'Ping');
      }
    },

    async Query(call: ServerWritableStream<EdgeQueryRequest, QueryResultChunk__Input>) {
      const request = call.request;
      const requestId = acceptRequestId(request.request_id || call.metadata.get('x-request-id')[0]);
      // The coordinator's traceparent: this edge's lines carry the trace id the client's request has.
      const trace = acceptTraceContext(call.metadata.get(TRACEPARENT_KEY)[0]);
      const log = logger.child({ requestId, traceId: trace.traceId, queryId: request.query_id });
      const meter = deps.metrics.startQuery();
      if (deps.accepting && !deps.accepting()) {
        // UNAVAILABLE tells the coordinator to try another replica.
        log.info('query refused: the edge is shutting down');
        meter.end('UNAVAILABLE');
        call.emit(
          'error',
          toGrpcError(TributaryError.unavailable(`edge ${deps.edgeName} is shutting down`), requestId),
        );
        return;
      }
      const controller = callSignal(call);
      log.debug('query started');
      // Headers go out at once: they tell the coordinator this edge accepted
      // the query, long before a slow query's first rows.
      call.sendMetadata(new Metadata());
      const started = performance.now();
      let rows = 0;
      let bytes = 0;
      let batches = 0;
      let truncated = false;

      async function* results(): AsyncGenerator<QueryResultChunk__Input> {
        await trust.verify(call.metadata);
        const params = request.params.map(fromProtoValue);
        const stream = deps.queries.stream(request.sql, params, {
          signal: controller.signal,
          timeoutMs: Number(request.timeout_ms) || undefined,
          maxRows: Number(request.max_rows) || undefined,
          whole: request.whole,
        });
        for await (const chunk of stream) {
          rows += chunk.rowCount;
          bytes += chunk.ipc.byteLength;
          if (chunk.rowCount > 0) batches++;
          meter.sent(chunk.rowCount, chunk.ipc.byteLength);
          yield { arrow: { ipc: chunk.ipc, row_count: chunk.rowCount } };
        }
        truncated = stream.summary.truncated;
        const elapsed = Math.round(performance.now() - started);
        log.info({ rows, bytes, batches, ms: elapsed, truncated }, 'query finished');
        yield {
          metadata: {
            query_id: request.query_id,
            row_count: rows,
            execution_time_ms: elapsed,
            bytes,
            batch_count: batches,
            truncated,
            edges: [deps.edgeName],
          },
        };
      }

      const outcome = await pipeToServerStream(call, results(), (error) => {
        const failure = error instanceof TributaryError ? error : toTributaryError(error);
        if (failure.code === 'INTERNAL') log.error({ err: error }, 'query failed');
        else log.info({ code: failure.code, message: failure.message }, 'query refused');
        meter.end(failure.code);
        return { error: failure, requestId };
      });
      if (outcome === 'completed') meter.end('OK');
      if (outcome === 'cancelled') {
        meter.end('CANCELLED');
        controller.abort(new TributaryError('CANCELLED', 'the caller cancelled the query'));
        log.info({ rows }, 'query cancelled by caller');
      }
    },
  };
}
