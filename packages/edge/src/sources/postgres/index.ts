export { type QueryObserver, type QueryPath, QueryRouter, type QueryRun } from './postgres-queries.js';
export { type PgTable, PostgresSource } from './postgres-source.js';
export { pushdownQuery } from './pushdown.js';
export { duckTypeOf } from './types.js';
