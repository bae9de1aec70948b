// Cancellation reaches DuckDB: a CPU-heavy query (a large cross join with an
// aggregate) is ended from the client over gRPC (call.cancel), over HTTP
// (the client disconnects) and by a deadline, and the edge process's CPU
// time (utime + stime from /proc) stops growing within a second.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, expectGrpcError, nextLogLine } from '../support/assertions.js';
import { Cluster } from '../support/cluster.js';
import { createFixtures, type Fixtures } from '../support/fixtures.js';
import { finishStream, metadataOf, rawQueryService } from '../support/grpc.js';
import { cpuTicks } from '../support/processes.js';

/** Hours of work for two threads: 10^12 pairs, multiplied and summed. */
const HEAVY_SQL = 'SELECT sum(a.range * b.range) AS s FROM range(1000000) a, range(1000000) b';
/** Clock ticks per second on Linux (USER_HZ). */
const TICKS_PER_SECOND = 100;
/** CPU an idle edge may use in a second (heartbeats, timers, logs): a tenth of one core. */
const IDLE_TICKS = 10;

let fixtures: Fixtures;
let cluster: Cluster;

before(async () => {
  fixtures = await createFixtures();
  cluster = await Cluster.start({
    edges: [{ name: 'edge-1', sources: fixtures.sources, engine: { threads: 2 } }],
    env: { TRIBUTARY_LOG_LEVEL: 'debug' },
    coordinator: { query: { timeout_ms: 120_000 } },
  });
});

after(async () => {
  await cluster?.stop();
  fixtures?.cleanup();
});

const edge = () => {
  const process = cluster.edges.get('edge-1');
  assert.ok(process);
  return process;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the edge burns CPU like a running query: a third of a core or more, over a second. */
async function edgeWorking(pid: number): Promise<void> {
  await eventually(
    async () => {
      const before = cpuTicks(pid) ?? 0;
      await sleep(1_000);
      return (cpuTicks(pid) ?? 0) - before >= 3 * IDLE_TICKS;
    },
    20_000,
    'DuckDB working at the edge',
    0,
  );
}

/**
 * The edge's CPU time once the query was ended: one second is allowed for
 * the interrupt to land; over the following second it must grow no more
 * than an idle edge's.
 */
async function assertCpuStopsWithinASecond(pid: number): Promise<void> {
  await sleep(1_000);
  const from = cpuTicks(pid) ?? 0;
  await sleep(1_000);
  const used = (cpuTicks(pid) ?? 0) - from;
  assert.ok(
    used <= IDLE_TICKS,
    `the edge still used ${used} ticks (${(used / TICKS_PER_SECOND).toFixed(2)} CPU-s) in the second after`,
  );
}

describe('cancellation stops DuckDB', { skip: cpuTicks(process.pid) === undefined && 'needs /proc' }, () => {
  test('gRPC call.cancel()', async () => {
    const pid = edge().child.pid as number;
    const stub = rawQueryService(cluster.grpcAddress);
    try {
      const started = nextLogLine(edge(), (line) => line.msg === 'query started');
      const call = stub.ExecuteQuery(
        { sql: HEAVY_SQL, params: [], limit: 0 },
        metadataOf({ 'x-api-key': cluster.apiKey }),
      );
      const outcome = finishStream(call);
      await started;
      await edgeWorking(pid);
      const cancelled = nextLogLine(edge(), (line) => line.msg === 'query cancelled by caller');
      call.cancel();
      await outcome;
      await assertCpuStopsWithinASecond(pid);
      await cancelled;
    } finally {
      stub.close();
    }
  });

  test('HTTP client disconnect', async () => {
    const pid = edge().child.pid as number;
    const started = nextLogLine(edge(), (line) => line.msg === 'query started');
    const controller = new AbortController();
    const response = cluster.http('/v1/query', {
      method: 'POST',
      json: { sql: HEAVY_SQL },
      headers: { 'x-api-key': cluster.apiKey },
      signal: controller.signal,
    });
    response.catch(() => undefined);
    await started;
    await edgeWorking(pid);
    const cancelled = nextLogLine(edge(), (line) => line.msg === 'query cancelled by caller');
    controller.abort();
    await assertCpuStopsWithinASecond(pid);
    await cancelled;
  });

  test('deadline', async () => {
    const pid = edge().child.pid as number;
    const started = nextLogLine(edge(), (line) => line.msg === 'query started');
    const outcome = expectGrpcError(
      cluster.client().query(HEAVY_SQL, { timeoutMs: 6_000 }).toArray(),
      'DEADLINE_EXCEEDED',
      { trailer: false },
    );
    await started;
    await edgeWorking(pid);
    await outcome;
    await assertCpuStopsWithinASecond(pid);
  });
});
