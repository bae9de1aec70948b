import type { QueryRunRecord } from '../../runs/index.js';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export function runLinks(id: string) {
  return { self: `/v1/query-runs/${id}`, results: `/v1/results/${id}` };
}

/** A query run as the HTTP API shows it; the error has the shape of the error envelope's body. */
export function queryRunJson(run: QueryRunRecord) {
  return {
    query_run_id: run.id,
    status: run.status,
    sql: run.sql,
    owner: run.owner,
    request_id: run.requestId,
    query_id: run.queryId ?? null,
    saved_query: run.savedQuery ?? null,
    created_at: iso(run.createdAt),
    started_at: iso(run.startedAt),
    finished_at: iso(run.finishedAt),
    duration_ms: run.finishedAt !== undefined ? run.finishedAt - (run.startedAt ?? run.createdAt) : null,
    row_count: run.rowCount ?? null,
    bytes: run.resultBytes ?? null,
    metadata: run.metadata ?? null,
    error: run.error ? { ...run.error, request_id: run.requestId } : null,
    expires_at: iso(run.expiresAt),
    links: runLinks(run.id),
  };
}

/** The 202 answer to a submitted run. */
export function acceptedRunJson(run: QueryRunRecord) {
  return { query_run_id: run.id, status: run.status, links: runLinks(run.id) };
}
