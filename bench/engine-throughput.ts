// DuckDB → Arrow IPC throughput of @tributary/engine, in process (no network):
// `node --import tsx bench/engine-throughput.ts` (after building the engine).
// Streams 10M rows of int/double/varchar through QueryEngine, then reads the
// same query the slow way — node-api's JS values (getColumns) and
// apache-arrow's vectorFromArray — as the baseline. Prints rows/s and MB/s.
// BENCH_ROWS overrides the row count.
import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { QueryEngine } from '@tributary/engine';
import { Float64, Int32, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const SQL = `SELECT i::INTEGER AS id, i*1.5 AS amount, 'name_' || (i % 1000) AS name FROM range(${ROWS}) t(i)`;

function report(label: string, rows: number, bytes: number, ms: number): void {
  const seconds = ms / 1000;
  console.log(
    `${label.padEnd(44)} ${rows.toLocaleString()} rows  ${seconds.toFixed(2)} s  ` +
      `${(rows / seconds / 1e6).toFixed(2)} M rows/s  ${(bytes / 1024 / 1024 / seconds).toFixed(0)} MB/s`,
  );
}

async function engineThroughput(): Promise<void> {
  const engine = await QueryEngine.open({
    memoryLimit: '2GB',
    queryTimeoutMs: 600_000,
    maxConcurrentQueries: 1,
    allowedDirectories: [],
  });
  try {
    const started = performance.now();
    const result = engine.stream(SQL);
    let bytes = 0;
    for await (const chunk of result) bytes += chunk.ipc.byteLength;
    const ms = performance.now() - started;
    report(
      `QueryEngine.stream → IPC (${result.summary.batchCount} batches)`,
      result.summary.rowCount,
      bytes,
      ms,
    );
  } finally {
    await engine.close();
  }
}

async function duckdbOnly(): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const started = performance.now();
  const result = await connection.stream(SQL);
  let rows = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    rows += chunk.rowCount;
  }
  report('DuckDB chunks only (no conversion)', rows, 0, performance.now() - started);
  connection.closeSync();
  instance.closeSync();
}

async function jsValuesBaseline(): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const started = performance.now();
  const result = await connection.stream(SQL);
  let rows = 0;
  let bytes = 0;
  // Per DuckDB chunk: JS values → vectorFromArray → an IPC batch; all chunks at
  // once would need several GB of JS objects.
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const columns = chunk.getColumns() as DuckDBValue[][];
    const table = new Table({
      id: vectorFromArray(columns[0] as number[], new Int32()),
      amount: vectorFromArray((columns[1] as unknown[]).map(Number), new Float64()),
      name: vectorFromArray(columns[2] as string[], new Utf8()),
    });
    bytes += tableToIPC(table, 'stream').byteLength;
    rows += chunk.rowCount;
  }
  report('baseline: getColumns + vectorFromArray', rows, bytes, performance.now() - started);
  connection.closeSync();
  instance.closeSync();
}

console.log(`engine throughput — node ${process.version}, ${ROWS.toLocaleString()} rows`);
await duckdbOnly();
await engineThroughput();
await jsValuesBaseline();
