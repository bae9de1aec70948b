// Per-tenant limits: configured defaults, overridden by the tenant's
// `limits.*` settings. A result over the row or byte limit fails with
// PAYLOAD_TOO_LARGE (before any row when the first batch is already over,
// by a cut stream otherwise) — never a silently short result; the caller's
// own `limit` still gives a flagged, truncated result. The execution limit
// ends the query with DEADLINE_EXCEEDED and stops it at the edge; the
// per-edge concurrency limit refuses with RATE_LIMITED and a retry hint.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ERROR_CODE_KEY } from '@tributary/core';
import { eventually, expectGrpcError, expectHttpError, nextLogLine } from '../support/assertions.js';
import { Cluster } from '../support/cluster.js';
import { createFixtures, type Fixtures } from '../support/fixtures.js';
import { finishStream, metadataOf, rawQueryService } from '../support/grpc.js';
import { signToken } from '../support/jwt.js';

/** The configured default for every tenant. */
const DEFAULT_MAX_ROWS = 1_000;
const LONG_AGGREGATE = 'SELECT count(*) AS n FROM range(1000000000000)';

let fixtures: Fixtures;
let cluster: Cluster;
let adminToken: string;

before(async () => {
  fixtures = await createFixtures();
  cluster = await Cluster.start({
    edges: [{ name: 'edge-1', sources: fixtures.sources }],
    env: { TRIBUTARY_LOG_LEVEL: 'debug' },
    coordinator: { limits: { max_rows: DEFAULT_MAX_ROWS } },
  });
  adminToken = await signToken(cluster, { sub: 'ada', roles: ['admin'] });
});

after(async () => {
  await cluster?.stop();
  fixtures?.cleanup();
});

async function setLimits(settings: Record<string, string>, remove: string[] = []): Promise<Response> {
  return cluster.http('/v1/tenant', {
    method: 'PATCH',
    json: { set_settings: settings, remove_settings: remove },
    headers: { authorization: `Bearer ${adminToken}` },
  });
}

/** Applies tenant settings; the coordinator reads them again within a second. */
async function withLimits(settings: Record<string, string>, work: () => Promise<void>): Promise<void> {
  const response = await setLimits(settings);
  assert.equal(response.status, 200, await response.text());
  try {
    await work();
  } finally {
    const reset = await setLimits({}, Object.keys(settings));
    assert.equal(reset.status, 200);
  }
}

const rows = (n: number) => `SELECT range AS n FROM range(${n})`;

describe('row and byte limits', () => {
  test('within the default row limit a result is whole; the caller’s own limit truncates and says so', async () => {
    const client = cluster.client();
    assert.equal((await client.query(rows(DEFAULT_MAX_ROWS)).toArray()).length, DEFAULT_MAX_ROWS);
    const response = await cluster.http('/v1/query', {
      method: 'POST',
      json: { sql: rows(5_000), limit: 10 },
    });
    const body = (await response.json()) as { data: unknown[]; metadata: { truncated: boolean } };
    assert.equal(body.data.length, 10);
    assert.equal(body.metadata.truncated, true);
  });

  test('one row over the default fails with PAYLOAD_TOO_LARGE on both protocols, before any row', async () => {
    const error = await expectGrpcError(
      cluster
        .client()
        .query(rows(DEFAULT_MAX_ROWS + 1))
        .toArray(),
      'PAYLOAD_TOO_LARGE',
    );
    assert.match(error.message, /more than 1000 rows/);
    const body = await expectHttpError(
      await cluster.http('/v1/query', { method: 'POST', json: { sql: rows(DEFAULT_MAX_ROWS + 1) } }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    assert.deepEqual(body.details, { limit: 'max_rows', max: DEFAULT_MAX_ROWS });
  });

  test('a tenant setting overrides the default; bad settings are refused', async () => {
    await withLimits({ 'limits.max_rows': '5' }, async () => {
      await eventually(async () => {
        await expectGrpcError(cluster.client().query(rows(6)).toArray(), 'PAYLOAD_TOO_LARGE');
        return true;
      }, 5_000);
      assert.equal((await cluster.client().query(rows(5)).toArray()).length, 5);
    });
    await expectHttpError(await setLimits({ 'limits.max_rows': '-3' }), 400, 'INVALID_ARGUMENT');
    await expectHttpError(await setLimits({ 'limits.max_rowz': '3' }), 400, 'INVALID_ARGUMENT');
  });

  test('a result crossing the limit mid-stream is cut with the error, never ended as complete', async () => {
    // Batches hold about 64k rows: the first is under the limit, a later one crosses it.
    await withLimits({ 'limits.max_rows': '100000' }, async () => {
      const sql = rows(1_000_000);
      await eventually(async () => {
        const stub = rawQueryService(cluster.grpcAddress);
        try {
          const outcome = await finishStream(
            stub.ExecuteQuery({ sql, params: [], limit: 0 }, metadataOf({ 'x-api-key': cluster.apiKey })),
          );
          assert.equal(outcome.trailers.get(ERROR_CODE_KEY)[0], 'PAYLOAD_TOO_LARGE');
          const chunks = outcome.messages as { arrow?: { row_count: string }; metadata?: unknown }[];
          const received = chunks.reduce((sum, c) => sum + Number(c.arrow?.row_count ?? 0), 0);
          assert.ok(received > 0 && received <= 100_000, `${received} rows before the error`);
          assert.ok(chunks.every((c) => !c.metadata));
        } finally {
          stub.close();
        }
        return true;
      }, 5_000);
      // The status line went out with the first batch; the connection is then cut.
      const outcome = await cluster
        .http('/v1/query', {
          method: 'POST',
          json: { sql },
          headers: { 'x-api-key': cluster.apiKey, accept: 'application/x-ndjson' },
        })
        .then((response) => response.text())
        .then(
          () => 'ended as if complete',
          () => 'cut',
        );
      assert.equal(outcome, 'cut');
    });
  });

  test('the byte limit works the same way', async () => {
    await withLimits({ 'limits.max_bytes': '4096' }, async () => {
      await eventually(async () => {
        const error = await expectGrpcError(cluster.client().query(rows(900)).toArray(), 'PAYLOAD_TOO_LARGE');
        assert.match(error.message, /larger than 4096 bytes/);
        return true;
      }, 5_000);
      assert.equal((await cluster.client().query(rows(3)).toArray()).length, 3);
    });
  });
});

describe('time and concurrency limits', () => {
  test('past the tenant’s execution limit the query ends with DEADLINE_EXCEEDED and the edge stops it', async () => {
    await withLimits({ 'limits.max_execution_ms': '1500' }, async () => {
      await eventually(async () => {
        const edge = cluster.edges.get('edge-1');
        assert.ok(edge);
        const stopped = nextLogLine(edge, (line) =>
          ['query cancelled by caller', 'query refused'].includes(String(line.msg)),
        );
        const error = await expectGrpcError(
          cluster.client().query(LONG_AGGREGATE).toArray(),
          'DEADLINE_EXCEEDED',
        );
        assert.match(error.message, /longer than 1500 ms, the limit for tenant acme/);
        await stopped;
        return true;
      }, 10_000);
    });
    assert.deepEqual(await cluster.client().query('SELECT 1 AS one').toArray(), [{ one: 1 }]);
  });

  test('one query more than the per-edge limit is RATE_LIMITED with a retry hint', async () => {
    await withLimits({ 'limits.max_concurrent_queries_per_edge': '1' }, async () => {
      const edge = cluster.edges.get('edge-1');
      assert.ok(edge);
      const controller = new AbortController();
      const dispatched = nextLogLine(edge, (line) => line.msg === 'query started');
      const running = cluster.client().query(LONG_AGGREGATE, { signal: controller.signal }).toArray();
      running.catch(() => undefined);
      try {
        await dispatched;
        const error = await expectGrpcError(
          cluster.client().query('SELECT 1 AS one').toArray(),
          'RATE_LIMITED',
        );
        assert.equal(error.details?.retry_after_ms, 1_000);
        const response = await cluster.http('/v1/query', {
          method: 'POST',
          json: { sql: 'SELECT 1 AS one' },
        });
        assert.equal(response.headers.get('retry-after'), '1');
        await expectHttpError(response, 429, 'RATE_LIMITED');
      } finally {
        controller.abort();
      }
      await eventually(
        async () => (await cluster.client().query('SELECT 1 AS one').toArray()).length === 1,
        10_000,
        'the slot freed once the query was cancelled',
      );
    });
  });
});
