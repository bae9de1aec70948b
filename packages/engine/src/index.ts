/**
 * @tributary/engine — the DuckDB execution engine shared by the edge (and
 * later the coordinator).
 *
 * ```ts
 * const engine = await QueryEngine.open(options, async (conn) => {
 *   await conn.run(`CREATE VIEW sales AS SELECT * FROM read_parquet('/data/sales/*.parquet')`);
 * });
 * const result = engine.stream('SELECT * FROM sales WHERE region = $1', ['EU'], { signal, maxRows: 1000 });
 * for await (const { ipc } of result) send(ipc);   // schema message first, then record batches
 * send(ARROW_EOS);                                   // from @tributary/core
 * result.summary;                                    // { rowCount, bytes, batchCount, truncated }
 * ```
 *
 * Process requirement: DuckDB's native calls run on libuv's thread pool (4
 * threads by default), and every running query keeps one of them busy while
 * a chunk is fetched. A process using the engine must set
 * `UV_THREADPOOL_SIZE` (above `maxConcurrentQueries` + a few) before its
 * first asynchronous native call — at the very start of main — or
 * concurrent queries stall behind one another.
 *
 * Security: after `setup`, the database is locked down — file access only
 * under `allowedDirectories`, no extension install or load, no setting
 * changes (`lock_configuration`). Queries must be a single SELECT.
 *
 * Errors are TributaryErrors: INVALID_ARGUMENT (not a single SELECT, syntax
 * and binder errors with `details.position`, wrong parameter count, file
 * access outside the sources), NOT_FOUND (unknown table, missing files),
 * CANCELLED (signal), DEADLINE_EXCEEDED (timeout), PAYLOAD_TOO_LARGE (memory
 * limit), UNAVAILABLE (engine closed, source read failure), INTERNAL.
 *
 * DuckDB → Arrow types:
 *
 * | DuckDB                         | Arrow                                   |
 * |--------------------------------|-----------------------------------------|
 * | BOOLEAN                        | Bool                                    |
 * | TINYINT … BIGINT, U…           | Int8 … Int64, Uint8 … Uint64            |
 * | HUGEINT                        | Decimal128(38, 0) (exact int128 bits)   |
 * | UHUGEINT                       | Utf8 (decimal text; does not fit int128)|
 * | FLOAT, DOUBLE                  | Float32, Float64                        |
 * | DECIMAL(p, s)                  | Decimal128(p, s)                        |
 * | VARCHAR, JSON                  | Utf8                                    |
 * | BLOB                           | Binary                                  |
 * | DATE                           | Date32 (days)                           |
 * | TIME / TIME_NS                 | Time64 µs / ns                          |
 * | TIMESTAMP, _S, _MS, _NS        | Timestamp µs, s, ms, ns (no time zone)  |
 * | TIMESTAMP WITH TIME ZONE       | Timestamp µs, time zone 'UTC'           |
 * | INTERVAL                       | Interval MonthDayNano                   |
 * | UUID                           | Utf8 (canonical 8-4-4-4-12)             |
 * | ENUM                           | Utf8                                    |
 * | LIST / ARRAY(n)                | List / FixedSizeList(n), child 'item'   |
 * | STRUCT                         | Struct                                  |
 * | MAP                            | Map (entries: key, value)               |
 * | NULL                           | Null                                    |
 * | UNION, BIT, BIGNUM, TIME WITH TIME ZONE, VARIANT, GEOMETRY, others | Utf8 of DuckDB's text form (slow JS fallback) |
 *
 * Column names are DuckDB's, duplicates included; every field is nullable.
 */
export { type EngineOptions, type EngineSetup, QueryEngine } from './engine.js';
export type { LoadSummary } from './ingest/load-arrow.js';
export { parameterSqlType } from './params.js';
export {
  DEFAULT_BATCH_BYTES,
  DEFAULT_BATCH_ROWS,
  type IpcChunk,
  QueryStream,
  type StreamOptions,
  type StreamSummary,
} from './stream.js';
