// The SDK's retries against a real coordinator: a tenant at its per-edge
// concurrency limit gets RATE_LIMITED with the coordinator's retry hint (a
// `retry_after_ms` detail and a `retry-after` trailer); the Node client waits
// as told and runs the query once the slot is free.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { status } from '@grpc/grpc-js';
import {
  GrpcWebClient,
  grpcWebNodeTransport,
  type RetryEvent,
  type TributaryClient,
  type TributaryError,
} from '@tributary/client';
import { ERROR_CODE_KEY } from '@tributary/core';
import { Cluster } from '../support/cluster.js';
import { createFixtures, type Fixtures } from '../support/fixtures.js';
import { finishStream, metadataOf, rawQueryService } from '../support/grpc.js';

/** Rows as fast as DuckDB makes them, with no end in sight: holds the tenant's one slot. */
const ENDLESS_ROWS = 'SELECT range AS n FROM range(1000000000000)';
const COUNT_SQL = 'SELECT count(*) AS n FROM lake.main.customers';
/** What the coordinator asks a rate-limited caller to wait (run-on-edge.ts). */
const COORDINATOR_RETRY_AFTER_MS = 1_000;

let fixtures: Fixtures;
let cluster: Cluster;
let client: TributaryClient;

before(async () => {
  fixtures = await createFixtures();
  cluster = await Cluster.start({
    edges: [{ name: 'edge-1', sources: fixtures.sources }],
    coordinator: { limits: { max_concurrent_queries_per_edge: 1 } },
  });
  client = cluster.client();
});

after(async () => {
  await cluster?.stop();
  fixtures?.cleanup();
});

/**
 * Runs ENDLESS_ROWS until released; resolves once its rows flow, so the slot
 * is taken. It retries too, should the previous holder's slot not be free yet.
 */
async function holdSlot(): Promise<{ release(): Promise<void> }> {
  const controller = new AbortController();
  const batches = client.query(ENDLESS_ROWS, { signal: controller.signal })[Symbol.asyncIterator]();
  await batches.next();
  return {
    async release() {
      controller.abort();
      await batches.next().catch(() => undefined);
    },
  };
}

test('without retries the limit surfaces at once: RATE_LIMITED with a retry hint', async () => {
  const slot = await holdSlot();
  try {
    await assert.rejects(
      cluster.client(undefined, { retry: false }).query(COUNT_SQL).toArray(),
      (error: TributaryError) =>
        error.code === 'RATE_LIMITED' && error.details?.retry_after_ms === COORDINATOR_RETRY_AFTER_MS,
    );
    const stub = rawQueryService(cluster.grpcAddress);
    try {
      const outcome = await finishStream(
        stub.ExecuteQuery({ sql: COUNT_SQL }, metadataOf({ 'x-api-key': cluster.apiKey })),
      );
      assert.equal(outcome.code, status.RESOURCE_EXHAUSTED);
      assert.equal(outcome.trailers.get(ERROR_CODE_KEY)[0], 'RATE_LIMITED');
      assert.equal(outcome.trailers.get('retry-after')[0], String(COORDINATOR_RETRY_AFTER_MS / 1000));
    } finally {
      stub.close();
    }
  } finally {
    await slot.release();
  }
});

test('a rate-limited query waits as the coordinator says, then runs', async () => {
  const slot = await holdSlot();
  const retries: RetryEvent[] = [];
  const waiting = cluster.client(undefined, {
    onRetry: (event) => {
      retries.push(event);
      void slot.release();
    },
  });
  try {
    assert.deepEqual(await waiting.query(COUNT_SQL).toArray(), [{ n: 7 }]);
    assert.ok(retries.length >= 1, 'retried');
    assert.equal((retries[0]?.error as TributaryError | undefined)?.code, 'RATE_LIMITED');
    assert.equal(retries[0]?.delayMs, COORDINATOR_RETRY_AFTER_MS);
  } finally {
    await slot.release();
  }
});

test('the gRPC-Web client waits as the coordinator says too, and can be told not to', async () => {
  const web = (options: { retry?: false; onRetry?: (event: RetryEvent) => void } = {}) =>
    new GrpcWebClient({
      url: cluster.grpcWebUrl,
      transport: grpcWebNodeTransport(),
      apiKey: cluster.apiKey,
      ...options,
    });
  const slot = await holdSlot();
  try {
    await assert.rejects(
      web({ retry: false }).query(COUNT_SQL).toArray(),
      (error: TributaryError) =>
        error.code === 'RATE_LIMITED' && error.details?.retry_after_ms === COORDINATOR_RETRY_AFTER_MS,
    );
    const retries: RetryEvent[] = [];
    const rows = await web({
      onRetry: (event) => {
        retries.push(event);
        void slot.release();
      },
    })
      .query(COUNT_SQL)
      .toArray();
    assert.deepEqual(rows, [{ n: 7 }]);
    assert.ok(retries.length >= 1, 'retried');
    assert.equal((retries[0]?.error as TributaryError | undefined)?.code, 'RATE_LIMITED');
    assert.equal(retries[0]?.delayMs, COORDINATOR_RETRY_AFTER_MS);
  } finally {
    await slot.release();
  }
});
