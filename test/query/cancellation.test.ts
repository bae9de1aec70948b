// Cancellation and deadlines: a caller that gives up ends its call at once
// with CANCELLED / DEADLINE_EXCEEDED, the edge stops the DuckDB work, and
// the edge stays usable. Durations are asserted only generously.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TributaryClient } from '@tributary/client';
import { eventually, expectGrpcError, nextLogLine, timed } from '../support/assertions.js';
import { Cluster } from '../support/cluster.js';
import { createFixtures, type Fixtures } from '../support/fixtures.js';
import { finishStream, metadataOf, rawQueryService } from '../support/grpc.js';
import { cpuTicks } from '../support/processes.js';

/** Minutes of work for DuckDB before its first row (a blocking aggregate over 10^12 rows). */
const LONG_AGGREGATE = 'SELECT count(*) AS n FROM range(1000000000000)';
/** Rows as fast as DuckDB makes them, with no end in sight. */
const ENDLESS_ROWS = 'SELECT range AS n FROM range(1000000000000)';
/** The edge's connection pool (see Cluster.startEdge): more cancelled queries than this prove none leaked. */
const POOL_SIZE = 4;
const PROMPT_MS = 10_000;

let fixtures: Fixtures;
let cluster: Cluster;
let client: TributaryClient;

before(async () => {
  fixtures = await createFixtures();
  cluster = await Cluster.start({
    edges: [{ name: 'edge-1', sources: fixtures.sources }],
    // Debug logs show when the coordinator has dispatched a query. The query
    // timeout only bounds the damage should a cancel fail to reach DuckDB.
    env: { TRIBUTARY_LOG_LEVEL: 'debug' },
    coordinator: { query: { timeout_ms: 45_000 } },
  });
  client = cluster.client();
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

/** The next time the edge reports a query cancelled (the DuckDB work stopped and the stream closed). */
const nextEdgeCancel = (requestId?: string, timeoutMs = 10_000) =>
  nextLogLine(
    edge(),
    (line) => line.msg === 'query cancelled by caller' && (!requestId || line.requestId === requestId),
    timeoutMs,
  );

/**
 * Starts LONG_AGGREGATE and resolves once the edge is executing it (the
 * coordinator logged the dispatch and the edge process is burning CPU), with
 * the query's (still pending) outcome wrapped in an object.
 */
async function startLongQuery(signal: AbortSignal): Promise<{ outcome: Promise<unknown> }> {
  const dispatched = nextLogLine(cluster.coordinator, (line) => line.msg === 'query started');
  const pid = edge().child.pid;
  const before = cpuTicks(pid);
  const outcome = client.query(LONG_AGGREGATE, { signal }).toArray();
  outcome.catch(() => undefined);
  await dispatched;
  if (before !== undefined) {
    // 20 ticks: a fifth of a CPU-second, far above an idle edge's use in this time.
    await eventually(() => (cpuTicks(pid) ?? 0) - before >= 20, 10_000, 'DuckDB working at the edge', 20);
  }
  return { outcome };
}

/** The edge answers a small query, in well under the edge's query timeout. */
async function assertEdgeServes(): Promise<void> {
  const { ms, result } = await timed(() =>
    client.query('SELECT 42 AS answer', { timeoutMs: 20_000 }).toArray(),
  );
  assert.equal(result.status, 'fulfilled', result.status === 'rejected' ? String(result.reason) : '');
  assert.deepEqual((result as PromiseFulfilledResult<unknown>).value, [{ answer: 42 }]);
  assert.ok(ms < 15_000, `a small query took ${Math.round(ms)} ms`);
}

describe('cancellation', () => {
  test('an AbortSignal ends a running gRPC query promptly with CANCELLED', async () => {
    const controller = new AbortController();
    const cancelledAtEdge = nextEdgeCancel();
    const { outcome } = await startLongQuery(controller.signal);
    const { ms } = await timed(async () => {
      controller.abort();
      await expectGrpcError(outcome, 'CANCELLED', { trailer: false });
    });
    assert.ok(ms < PROMPT_MS, `the client ended ${Math.round(ms)} ms after the abort`);
    await cancelledAtEdge;
    await assertEdgeServes();
  });

  test('aborting while rows stream ends the iteration with CANCELLED', async () => {
    const controller = new AbortController();
    const result = client.query(ENDLESS_ROWS, { signal: controller.signal });
    let batches = 0;
    const { ms, result: outcome } = await timed(async () => {
      for await (const batch of result) {
        batches++;
        assert.ok(batch.numRows > 0);
        if (batches === 2) controller.abort();
      }
    });
    assert.equal(outcome.status, 'rejected', 'the iteration fails instead of ending quietly');
    await expectGrpcError(Promise.reject((outcome as PromiseRejectedResult).reason), 'CANCELLED', {
      trailer: false,
    });
    assert.ok(batches >= 2);
    assert.ok(ms < PROMPT_MS, `took ${Math.round(ms)} ms`);
    await assertEdgeServes();
  });

  test('breaking out of the iteration early also stops the query at the edge', async () => {
    const cancelledAtEdge = nextEdgeCancel();
    // Only to clean up should the break not cancel the call; never aborted before the check.
    const cleanup = new AbortController();
    try {
      for await (const batch of client.query(ENDLESS_ROWS, { signal: cleanup.signal })) {
        assert.ok(batch.numRows > 0);
        break;
      }
      await cancelledAtEdge;
    } finally {
      cleanup.abort();
    }
    await assertEdgeServes();
  });

  test(`more cancelled queries than the edge has connections leave none stuck`, async () => {
    for (let i = 0; i < POOL_SIZE + 1; i++) {
      const controller = new AbortController();
      const cancelledAtEdge = nextEdgeCancel();
      const { outcome } = await startLongQuery(controller.signal);
      controller.abort();
      await expectGrpcError(outcome, 'CANCELLED', { trailer: false });
      await cancelledAtEdge;
    }
    await assertEdgeServes();
    // Queries at once, as many as the pool holds: each needs a free connection.
    const answers = await Promise.all(
      Array.from({ length: POOL_SIZE }, (_, i) =>
        client.query('SELECT $1 AS i', { params: [i], timeoutMs: 20_000 }).toArray(),
      ),
    );
    assert.deepEqual(
      answers,
      Array.from({ length: POOL_SIZE }, (_, i) => [{ i }]),
    );
  });

  test('HTTP: a client that disconnects cancels the query at the edge', async () => {
    const requestId = `e2e-disconnect-${Date.now()}`;
    const cancelledAtEdge = nextEdgeCancel(requestId);
    const controller = new AbortController();
    const response = await cluster.http('/v1/query', {
      method: 'POST',
      json: { sql: ENDLESS_ROWS },
      headers: { 'x-api-key': cluster.apiKey, accept: 'application/x-ndjson', 'x-request-id': requestId },
      signal: controller.signal,
    });
    assert.equal(response.status, 200);
    const reader = response.body?.getReader();
    assert.ok(reader);
    const first = await reader.read();
    assert.equal(first.done, false);
    controller.abort();
    await reader.cancel().catch(() => undefined);
    await cancelledAtEdge;
    await assertEdgeServes();
  });
});

/** A query the coordinator takes a while to analyse (a long IN list) and the edge forever to run. */
const SLOW_TO_ANALYSE = `SELECT count(*) AS n FROM range(1000000000000) WHERE range NOT IN (${Array.from(
  { length: 30_000 },
  (_, i) => i + 1,
).join(',')})`;

describe('cancellation before the edge is reached', () => {
  test('a cancel that arrives while the coordinator is still analysing never leaves a query running at the edge', async () => {
    const requestId = `e2e-early-cancel-${Date.now()}`;
    // Whatever the edge logs about this request; none at all is fine too. A
    // query left running would end at its 4 s deadline, inside this window.
    const edgeLine = nextLogLine(edge(), (line) => line.requestId === requestId, 5_500).then(
      () => performance.now(),
      () => undefined,
    );
    const stub = rawQueryService(cluster.grpcAddress);
    try {
      const call = stub.ExecuteQuery(
        { sql: SLOW_TO_ANALYSE, params: [], limit: 0 },
        metadataOf({ 'x-api-key': cluster.apiKey, 'x-request-id': requestId }),
        { deadline: Date.now() + 4_000 },
      );
      const outcome = finishStream(call);
      // Long enough for the request to reach the coordinator, far shorter than its analysis.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const cancelledAt = performance.now();
      call.cancel();
      await outcome;
      const seenAt = await edgeLine;
      if (seenAt !== undefined) {
        const ms = seenAt - cancelledAt;
        assert.ok(
          ms < 3_000,
          `the edge ended the query ${Math.round(ms)} ms after the cancel (its deadline)`,
        );
      }
    } finally {
      stub.close();
    }
    await assertEdgeServes();
  });
});

describe('deadlines', () => {
  test('a gRPC deadline gives DEADLINE_EXCEEDED, promptly', async () => {
    const { ms } = await timed(() =>
      expectGrpcError(client.query(LONG_AGGREGATE, { timeoutMs: 1_500 }).toArray(), 'DEADLINE_EXCEEDED', {
        trailer: false,
      }),
    );
    assert.ok(ms < PROMPT_MS, `ended after ${Math.round(ms)} ms`);
    await assertEdgeServes();
  });

  test('the deadline reaches the edge, which stops the query', async () => {
    for (let i = 0; i < POOL_SIZE + 1; i++) {
      const endedAtEdge = nextLogLine(edge(), (line) =>
        ['query cancelled by caller', 'query refused'].includes(String(line.msg)),
      );
      await expectGrpcError(client.query(LONG_AGGREGATE, { timeoutMs: 800 }).toArray(), 'DEADLINE_EXCEEDED', {
        trailer: false,
      });
      await endedAtEdge;
    }
    await assertEdgeServes();
  });
});

// Last in this file: it stops the coordinator.
describe('shutdown', () => {
  test('after a client disconnected mid-result, the coordinator still stops promptly on SIGTERM', async () => {
    const controller = new AbortController();
    const response = await cluster.http('/v1/query', {
      method: 'POST',
      json: { sql: ENDLESS_ROWS },
      headers: { 'x-api-key': cluster.apiKey, accept: 'application/x-ndjson' },
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    assert.ok(reader);
    await reader.read();
    const ended = nextLogLine(cluster.coordinator, (line) => line.msg === 'result stream ended early');
    controller.abort();
    await reader.cancel().catch(() => undefined);
    await ended;
    // SIGTERM, then SIGKILL after 6 s: a clean exit comes well before that.
    const { ms } = await timed(() => cluster.coordinator.stop(6_000));
    assert.ok(ms < 4_000, `the coordinator took ${Math.round(ms)} ms to stop`);
  });
});
