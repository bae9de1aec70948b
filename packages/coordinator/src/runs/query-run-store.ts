import type { Page } from '../store/index.js';
import type { QueryRunChange, QueryRunRecord, QueryRunStatus } from './run-record.js';

export interface QueryRunQuery {
  /** Only runs of this subject; every run of the tenant when absent. */
  owner?: string;
  status?: QueryRunStatus;
  limit: number;
  cursor?: string;
}

/**
 * Where query runs are tracked. Narrow on purpose: records are plain JSON
 * values addressed by id, results live elsewhere (addressed by the same id),
 * so an implementation shared by coordinator replicas needs nothing but a
 * key-value store with compare-and-set and a way to publish changes.
 *
 * Cursors are opaque strings issued by the store; one it did not issue is
 * INVALID_ARGUMENT.
 */
export interface QueryRunStore {
  create(record: QueryRunRecord): Promise<void>;
  get(id: string): Promise<QueryRunRecord | undefined>;
  /**
   * Applies `change` only while the run's status is one of `from`, atomically,
   * and returns the changed record; undefined when the status did not match
   * or the run is gone. Every status change goes through here, so a cancelled
   * run can never be overwritten by its own late outcome.
   */
  transition(
    id: string,
    from: readonly QueryRunStatus[],
    change: QueryRunChange,
  ): Promise<QueryRunRecord | undefined>;
  /** Newest first. */
  list(tenant: string, query: QueryRunQuery): Promise<Page<QueryRunRecord>>;
  /** Ids of finished runs whose `expiresAt` has passed. */
  expired(now: number): Promise<string[]>;
  delete(id: string): Promise<void>;
  /**
   * Calls `listener` after every transition, including those made by other
   * processes sharing the store: a cancel must reach whichever process runs
   * the query. Returns the unsubscribe function.
   */
  watch(listener: (record: QueryRunRecord) => void): () => void;
}
