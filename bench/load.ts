// Two coordinators sharing Redis under 64 concurrent clients, over gRPC and
// over HTTP: throughput and p50/p99 of a cached and an uncached small
// query, next to one coordinator with embedded (in-process) shared state.
// Then the rate limiter's own cost per request (count the request, take
// and return a query slot), embedded and in Redis.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TributaryClient } from '@tributary/client';
import { createLogger } from '@tributary/core';
import type { Principal } from '../packages/coordinator/src/auth/index.js';
import { coordinatorConfigSchema } from '../packages/coordinator/src/config/coordinator-config.js';
import { RateLimits } from '../packages/coordinator/src/limits/index.js';
import { MemoryState, RedisState, type SharedState } from '../packages/coordinator/src/shared-state/index.js';
import { Cluster, type CoordinatorEndpoints } from '../test/support/cluster.js';
import { RedisServer } from '../test/support/redis.js';

const CONCURRENCY = 64;
const DURATION_MS = 4_000;
const CACHED = 'SELECT category, count(*) AS n FROM hot.main.items GROUP BY category ORDER BY category';
const UNCACHED = 'SELECT category, count(*) AS n FROM cold.main.items GROUP BY category ORDER BY category';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface Figures {
  qps: number;
  p50: number;
  p99: number;
}

async function measure(workers: (() => Promise<unknown>)[], durationMs = DURATION_MS): Promise<Figures> {
  const latencies: number[] = [];
  const until = performance.now() + durationMs;
  await Promise.all(
    workers.map(async (work) => {
      while (performance.now() < until) {
        const started = performance.now();
        await work();
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    qps: latencies.length / (durationMs / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

const show = (f: Figures) =>
  `${f.qps.toFixed(0).padStart(5)} q/s  p50 ${f.p50.toFixed(2).padStart(6)} ms  p99 ${f.p99.toFixed(2).padStart(6)} ms`;

function dataDirs(): { root: string; hot: string; cold: string } {
  const root = mkdtempSync(join(tmpdir(), 'tributary-load-'));
  const rows = ['id,category,price', ...Array.from({ length: 200 }, (_, i) => `${i},c${i % 7},${i * 1.5}`)];
  const dirs = { root, hot: join(root, 'hot'), cold: join(root, 'cold') };
  for (const dir of [dirs.hot, dirs.cold]) {
    mkdirSync(dir);
    writeFileSync(join(dir, 'items.csv'), `${rows.join('\n')}\n`);
  }
  return dirs;
}

async function httpWorker(on: CoordinatorEndpoints | { httpUrl: string }, apiKey: string, sql: string) {
  const body = JSON.stringify({ sql });
  return async () => {
    const response = await fetch(`${on.httpUrl}/v1/query`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body,
    });
    if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  };
}

async function endToEnd(backend: 'embedded' | 'redis', redisUrl?: string): Promise<void> {
  const dirs = dataDirs();
  const cluster = await Cluster.start({
    edges: [
      {
        name: 'load-edge',
        sources: [
          { name: 'hot', type: 'files', path: dirs.hot },
          { name: 'cold', type: 'files', path: dirs.cold },
        ],
      },
    ],
    coordinator: {
      ...(redisUrl ? { redis: { url: redisUrl } } : {}),
      rate_limits: {
        enabled: true,
        tenants: {
          acme: { tier: 'enterprise', requests_per_minute: 100_000_000, concurrent_queries: 10_000 },
        },
      },
      result_cache: { enabled: true, ttl_ms: 600_000, sources: { cold: { ttl_ms: 0 } } },
    },
  });
  try {
    const coordinators: { grpcAddress: string; httpUrl: string }[] = [
      { grpcAddress: cluster.grpcAddress, httpUrl: cluster.httpUrl },
    ];
    if (backend === 'redis') coordinators.push(await cluster.addCoordinator());
    for (const { httpUrl } of coordinators) {
      while ((await fetch(`${httpUrl}/health/ready`)).status !== 200) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    // Clients alternate between the coordinators, as a load balancer would spread them.
    const spread = Array.from(
      { length: CONCURRENCY },
      (_, i) =>
        new TributaryClient({
          address: (coordinators[i % coordinators.length] as { grpcAddress: string }).grpcAddress,
          apiKey: cluster.apiKey,
        }),
    );
    const grpc = (sql: string) => spread.map((client) => () => client.query(sql).toArray());
    const http = async (sql: string) =>
      Promise.all(
        Array.from({ length: CONCURRENCY }, (_, i) =>
          httpWorker(coordinators[i % coordinators.length] as { httpUrl: string }, cluster.apiKey, sql),
        ),
      );
    // Warm-up: analysis caches, connections, and the cached query's entry.
    await measure(grpc(CACHED), 1_000);
    await measure(grpc(UNCACHED), 1_000);
    const label = backend === 'redis' ? 'two coordinators, Redis' : 'one coordinator, embedded';
    console.log(`\n## ${CONCURRENCY} clients, ${label}`);
    console.log(`gRPC cached    ${show(await measure(grpc(CACHED)))}`);
    console.log(`gRPC uncached  ${show(await measure(grpc(UNCACHED)))}`);
    console.log(`HTTP cached    ${show(await measure(await http(CACHED)))}`);
    console.log(`HTTP uncached  ${show(await measure(await http(UNCACHED)))}`);
    for (const client of spread) client.close();
  } finally {
    await cluster.stop();
    rmSync(dirs.root, { recursive: true, force: true });
  }
}

/** The limiter alone, in this process: what each request pays for its limits. */
async function limiterCost(state: SharedState, label: string): Promise<Figures[]> {
  const config = coordinatorConfigSchema.shape.rate_limits.parse({
    enabled: true,
    tiers: { bench: { requests_per_minute: 100_000_000, concurrent_queries: 100_000 } },
    default_tier: 'bench',
  });
  const limits = new RateLimits(config, state);
  const principal = (i: number): Principal => ({
    tenant: 'bench',
    subject: `user-${i % 16}`,
    roles: [],
    groups: [],
    attributes: {},
    method: 'api_key',
  });
  let n = 0;
  const once = async () => {
    const who = principal(n++);
    await limits.admitRequest(who);
    const release = await limits.acquireQuerySlot(who, 60_000);
    release();
  };
  for (let i = 0; i < 500; i++) await once();
  const sequential = await measure([once], 2_000);
  const concurrent = await measure(
    Array.from({ length: CONCURRENCY }, () => once),
    2_000,
  );
  console.log(`${label.padEnd(9)} 1 caller   ${show(sequential)}`);
  console.log(`${label.padEnd(9)} 64 callers ${show(concurrent)}`);
  return [sequential, concurrent];
}

export async function loadBench(): Promise<void> {
  const redis = await RedisServer.start();
  try {
    await endToEnd('embedded');
    await endToEnd('redis', redis.url);
    console.log('\n## Rate limiter per request (count it, take and return a query slot)');
    const logger = createLogger({ service: 'bench', level: 'warn' });
    const [memory] = await limiterCost(new MemoryState({ maxBlobBytes: 1024 }), 'embedded');
    const state = await RedisState.connect({
      url: redis.url,
      keyPrefix: 'bench:',
      commandTimeoutMs: 1_000,
      connectTimeoutMs: 2_000,
      maxFallbackBlobBytes: 1024,
      logger,
    });
    const [shared] = await limiterCost(state, 'redis');
    await state.close();
    const added = (shared?.p50 ?? 0) - (memory?.p50 ?? 0);
    console.log(`Redis adds ${added.toFixed(3)} ms p50 per request (target < 1 ms)`);
  } finally {
    await redis.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await loadBench();
