// Streams a 10M-row result edge → coordinator → client and compares it with
// the same query run in-process (DuckDB → Arrow IPC, no network). Prints
// rows/s, MB/s, the ratio, and the coordinator's peak RSS while streaming.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryEngine } from '@tributary/engine';
import { Cluster } from '../test/support/cluster.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const SQL = `SELECT i::INTEGER AS id, i * 1.5 AS amount, 'name_' || (i % 1000) AS name FROM range(${ROWS}) t(i)`;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : 0;
}

/** User + system CPU seconds a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function report(label: string, rows: number, bytes: number, ms: number) {
  const rowsPerSec = rows / (ms / 1000);
  const mbPerSec = bytes / 1024 / 1024 / (ms / 1000);
  console.log(
    `${label.padEnd(34)} ${rows.toLocaleString()} rows  ${(ms / 1000).toFixed(2)} s  ` +
      `${(rowsPerSec / 1e6).toFixed(2)} M rows/s  ${mbPerSec.toFixed(0)} MB/s`,
  );
  return rowsPerSec;
}

async function inProcess(): Promise<number> {
  const engine = await QueryEngine.open({
    memoryLimit: '2GB',
    queryTimeoutMs: 600_000,
    maxConcurrentQueries: 1,
    allowedDirectories: [],
  });
  const started = performance.now();
  let rows = 0;
  let bytes = 0;
  for await (const chunk of engine.stream(SQL, [])) {
    rows += chunk.rowCount;
    bytes += chunk.ipc.byteLength;
  }
  const ms = performance.now() - started;
  await engine.close();
  return report('in-process DuckDB → Arrow IPC', rows, bytes, ms);
}

async function throughCoordinator(): Promise<{ rate: number; peakRss: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-bench-'));
  const cluster = await Cluster.start({
    edges: [{ name: 'bench-edge', sources: [{ name: 'lake', type: 'files', path: dataDir }] }],
  });
  try {
    const client = cluster.client();
    const pid = cluster.coordinator.child.pid as number;
    const edgePid = cluster.edges.get('bench-edge')?.child.pid as number;
    const cpuBefore = { coordinator: cpuSeconds(pid), edge: cpuSeconds(edgePid), client: process.cpuUsage() };
    let peakRss = rssMb(pid);
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rssMb(pid));
    }, 50);
    const started = performance.now();
    let rows = 0;
    let bytes = 0;
    const result = client.query(SQL, { timeoutMs: 600_000 });
    for await (const part of result.ipc()) {
      bytes += part.byteLength;
    }
    rows = Number(result.metadata?.row_count ?? 0);
    const ms = performance.now() - started;
    clearInterval(sampler);
    const clientCpu = process.cpuUsage(cpuBefore.client);
    console.log(
      `CPU seconds: edge ${(cpuSeconds(edgePid) - cpuBefore.edge).toFixed(2)}, ` +
        `coordinator ${(cpuSeconds(pid) - cpuBefore.coordinator).toFixed(2)}, ` +
        `client ${((clientCpu.user + clientCpu.system) / 1e6).toFixed(2)}`,
    );
    return { rate: report('edge → coordinator → client (gRPC)', rows, bytes, ms), peakRss };
  } finally {
    await cluster.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function streamBench(): Promise<void> {
  console.log(`\n## Streaming ${ROWS.toLocaleString()} rows (INTEGER, DOUBLE, VARCHAR)`);
  const local = await inProcess();
  const { rate, peakRss } = await throughCoordinator();
  console.log(`full path / in-process: ${((rate / local) * 100).toFixed(0)}%   (target ≥ 50%)`);
  console.log(`coordinator peak RSS while streaming: ${peakRss.toFixed(0)} MB   (target < 300 MB)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await streamBench();
