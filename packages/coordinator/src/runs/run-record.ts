// A query run: a query executed on its own, not tied to the request that
// started it, whose result is kept for a while. Records are plain JSON
// values (times in epoch ms) so any QueryRunStore can hold them as they are.

export const QUERY_RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type QueryRunStatus = (typeof QUERY_RUN_STATUSES)[number];

export const ACTIVE_STATUSES: readonly QueryRunStatus[] = ['queued', 'running'];

export function isQueryRunStatus(value: unknown): value is QueryRunStatus {
  return typeof value === 'string' && (QUERY_RUN_STATUSES as readonly string[]).includes(value);
}

export interface QueryRunError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface QueryRunRecord {
  id: string;
  tenant: string;
  /** Subject of the principal that submitted the run: the only one who may read its result. */
  owner: string;
  status: QueryRunStatus;
  sql: string;
  /** The request that submitted the run; the query's audit record carries it too. */
  requestId: string;
  /** Set once the coordinator has accepted the query (after analysis and authorization). */
  queryId?: string;
  savedQuery?: { id: string; version: number };
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** Query metadata as the JSON APIs show it, once the run succeeded. */
  metadata?: Record<string, unknown>;
  rowCount?: number;
  /** Size of the stored result file. */
  resultBytes?: number;
  error?: QueryRunError;
  /** When a finished run and its result are removed. */
  expiresAt?: number;
}

export type QueryRunChange = Partial<Omit<QueryRunRecord, 'id' | 'tenant' | 'owner' | 'createdAt'>>;
