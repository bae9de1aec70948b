import { type QueryResultChunk__Input, toTributaryError } from '@tributary/core';
import type { RequestContext } from '../context.js';
import type { QueryAuditEvent } from './audit-log.js';

/** The part of the audit log the query path needs. */
export interface QueryAuditSink {
  recordQuery(event: QueryAuditEvent): void;
}

/** Codes that mean the query was refused by governance rather than failing. */
const REFUSALS = new Set(['QUERY_UNAUTHORIZED', 'UNAUTHORIZED']);

/**
 * Collects what the query path learns about one query and writes exactly one
 * audit record for it: `allowed` when the result completed (rows, bytes,
 * duration), `refused` when policy refused it, `failed` otherwise —
 * including a client that stopped reading before the end.
 */
export class QueryAuditTrail {
  private recorded = false;
  private details: Pick<
    QueryAuditEvent,
    'queryId' | 'tables' | 'columns' | 'filters' | 'masks' | 'attempts' | 'fromCache'
  > = {
    queryId: '',
    tables: [],
    columns: [],
  };

  constructor(
    private readonly sink: QueryAuditSink | undefined,
    private readonly ctx: RequestContext,
    private readonly sql: string,
    private readonly startedAt = performance.now(),
  ) {}

  /**
   * Adds what a step found: the query id, tables and columns read, filters
   * and masks applied, the edges tried (an array filled in as they are).
   */
  describe(details: Partial<QueryAuditTrail['details']>): void {
    this.details = { ...this.details, ...details };
  }

  /** Records a query that ended before any result; call with what was thrown. */
  failed(error: unknown): void {
    const failure = toTributaryError(error);
    const refused = REFUSALS.has(failure.code);
    this.record({
      decision: refused ? 'refused' : 'failed',
      reason: refused ? failure.message : undefined,
      errorCode: failure.code,
    });
  }

  /** Passes a result through, recording its outcome when it ends. */
  async *follow(chunks: AsyncIterable<QueryResultChunk__Input>): AsyncGenerator<QueryResultChunk__Input> {
    let rows: number | undefined;
    let bytes: number | undefined;
    try {
      for await (const chunk of chunks) {
        if (chunk.metadata) {
          rows = Number(chunk.metadata.row_count ?? 0);
          bytes = Number(chunk.metadata.bytes ?? 0);
        }
        yield chunk;
      }
      this.record({ decision: 'allowed', rows, bytes });
    } catch (error) {
      this.record({ decision: 'failed', rows, bytes, errorCode: toTributaryError(error).code });
      throw error;
    } finally {
      // Reached without a record when the consumer stopped iterating early.
      this.record({ decision: 'failed', rows, bytes, errorCode: 'CANCELLED' });
    }
  }

  private record(
    outcome: Pick<QueryAuditEvent, 'decision' | 'reason' | 'rows' | 'bytes' | 'errorCode'>,
  ): void {
    if (this.recorded || !this.sink) return;
    this.recorded = true;
    const { principal } = this.ctx;
    this.sink.recordQuery({
      requestId: this.ctx.requestId,
      traceId: this.ctx.trace?.traceId,
      tenant: principal.tenant,
      subject: principal.subject,
      keyId: principal.keyId,
      ...(principal.agent ? { agentId: principal.agent.id, agentRunId: principal.agent.runId } : {}),
      protocol: this.ctx.protocol,
      sql: this.sql,
      ...this.details,
      ...outcome,
      durationMs: Math.round(performance.now() - this.startedAt),
    });
  }
}
