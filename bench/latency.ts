// Latency of a one-row query through the coordinator (p50/p99 at
// concurrency 1) and throughput at 1, 16 and 64 concurrent clients.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TributaryClient } from '@tributary/client';
import { Cluster } from '../test/support/cluster.js';

const SQL = 'SELECT 42 AS answer';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function once(client: TributaryClient): Promise<number> {
  const started = performance.now();
  await client.query(SQL).toArray();
  return performance.now() - started;
}

async function load(
  clients: TributaryClient[],
  durationMs: number,
): Promise<{ qps: number; latencies: number[] }> {
  const latencies: number[] = [];
  const until = performance.now() + durationMs;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < until) latencies.push(await once(client));
    }),
  );
  return { qps: latencies.length / (durationMs / 1000), latencies: latencies.sort((a, b) => a - b) };
}

export async function latencyBench(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-bench-'));
  const cluster = await Cluster.start({
    edges: [{ name: 'bench-edge', sources: [{ name: 'lake', type: 'files', path: dataDir }] }],
  });
  try {
    const pool = Array.from({ length: 64 }, () => cluster.client());
    for (let i = 0; i < 200; i++) await once(pool[0] as TributaryClient); // warm-up
    console.log(`\n## One-row query latency (${SQL})`);
    const single = await load(pool.slice(0, 1), 5_000);
    console.log(
      `concurrency  1: p50 ${percentile(single.latencies, 50).toFixed(2)} ms  ` +
        `p99 ${percentile(single.latencies, 99).toFixed(2)} ms  ${single.qps.toFixed(0)} q/s   (target p50 < 3 ms)`,
    );
    for (const concurrency of [16, 64]) {
      const run = await load(pool.slice(0, concurrency), 5_000);
      console.log(
        `concurrency ${String(concurrency).padStart(2)}: p50 ${percentile(run.latencies, 50).toFixed(2)} ms  ` +
          `p99 ${percentile(run.latencies, 99).toFixed(2)} ms  ${run.qps.toFixed(0)} q/s`,
      );
    }
  } finally {
    await cluster.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await latencyBench();
