// Query runs: queries executed apart from the request that started them,
// their state behind QueryRunStore and their results in ResultFiles.
export { InProcessQueryRunStore } from './in-process-run-store.js';
export type { QueryRunQuery, QueryRunStore } from './query-run-store.js';
export { RedisQueryRunStore } from './redis-run-store.js';
export { ResultFiles, type ResultSlice, type StoredResult } from './result-files.js';
export {
  ACTIVE_STATUSES,
  isQueryRunStatus,
  QUERY_RUN_STATUSES,
  type QueryRunChange,
  type QueryRunError,
  type QueryRunRecord,
  type QueryRunStatus,
} from './run-record.js';
