// Rate limits per identity and tier: requests per minute on every protocol
// (HTTP, gRPC, gRPC-Web through gRPC, MCP) and concurrent queries, whose
// slots come back on every way a query can end. Embedded shared state: one
// coordinator, no Redis (see test/shared-state for replicas).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TributaryClient } from '@tributary/client';
import { eventually, expectGrpcError, expectHttpError, nextLogLine } from '../support/assertions.js';
import { Cluster } from '../support/cluster.js';
import { createFixtures, type Fixtures } from '../support/fixtures.js';
import { finishStream, metadataOf, rawQueryService } from '../support/grpc.js';
import { signToken } from '../support/jwt.js';

const ENDLESS = 'SELECT count(*) AS n FROM range(1000000000000)';

let fixtures: Fixtures;
let cluster: Cluster;
const clients: TributaryClient[] = [];

before(async () => {
  fixtures = await createFixtures();
  cluster = await Cluster.start({
    edges: [{ name: 'edge-1', sources: fixtures.sources }],
    env: { TRIBUTARY_LOG_LEVEL: 'debug' },
    coordinator: {
      query: { timeout_ms: 60_000 },
      rate_limits: {
        enabled: true,
        default_tier: 'free',
        tiers: {
          free: { requests_per_minute: 5, concurrent_queries: 5 },
          pro: { requests_per_minute: 1_000, concurrent_queries: 1 },
        },
      },
    },
  });
});

after(async () => {
  for (const client of clients) client.close();
  await cluster?.stop();
  fixtures?.cleanup();
});

async function bearer(subject: string, attributes: Record<string, unknown> = {}) {
  return `Bearer ${await signToken(cluster, { sub: subject, attributes })}`;
}

function grpcClient(token: string): TributaryClient {
  const client = new TributaryClient({ address: cluster.grpcAddress, token: token.slice('Bearer '.length) });
  clients.push(client);
  return client;
}

function httpQuery(authorization: string, sql: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${cluster.httpUrl}/v1/query`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ sql }),
    signal,
  });
}

function mcpPost(authorization: string): Promise<Response> {
  return fetch(cluster.mcpUrl, {
    method: 'POST',
    headers: {
      authorization,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
    }),
  });
}

describe('requests per minute', () => {
  test('every response reports the limit; the request past it is RATE_LIMITED with Retry-After', async () => {
    const auth = await bearer('rpm-http');
    for (let i = 1; i <= 5; i++) {
      const response = await httpQuery(auth, 'SELECT 42 AS answer');
      await response.arrayBuffer();
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('ratelimit-limit'), '5');
      assert.equal(response.headers.get('ratelimit-remaining'), String(5 - i));
      const reset = Number(response.headers.get('ratelimit-reset'));
      assert.ok(reset >= 1 && reset <= 60, `RateLimit-Reset ${reset}`);
    }
    const refused = await httpQuery(auth, 'SELECT 42 AS answer');
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(refused.headers.get('ratelimit-limit'), '5');
    assert.equal(refused.headers.get('ratelimit-remaining'), '0');
    const error = await expectHttpError(refused, 429, 'RATE_LIMITED');
    assert.match(error.message, /5 requests per minute \(tier free\)/);

    // The same identity over gRPC is over its limit too: RESOURCE_EXHAUSTED with the values in trailers.
    const outcome = await finishStream(
      rawQueryService(cluster.grpcAddress).ExecuteQuery(
        { sql: 'SELECT 1', params: [], limit: 0 },
        metadataOf({ authorization: auth }),
      ),
    );
    assert.equal(outcome.code, 8, 'RESOURCE_EXHAUSTED');
    assert.equal(outcome.trailers.get('tributary-error-code')[0], 'RATE_LIMITED');
    assert.equal(outcome.trailers.get('ratelimit-limit')[0], '5');
    assert.equal(outcome.trailers.get('ratelimit-remaining')[0], '0');
    assert.ok(Number(outcome.trailers.get('retry-after')[0]) >= 1);
  });

  test('gRPC, HTTP and MCP requests count against one budget', async () => {
    const auth = await bearer('rpm-mixed');
    const client = grpcClient(auth);
    await client.query('SELECT 1 AS one').toArray();
    const tables = await fetch(`${cluster.httpUrl}/v1/catalog/tables`, { headers: { authorization: auth } });
    assert.equal(tables.status, 200);
    assert.equal(tables.headers.get('ratelimit-remaining'), '3');
    const mcp = await mcpPost(auth);
    await mcp.arrayBuffer();
    assert.equal(mcp.status, 200);
    assert.equal(mcp.headers.get('ratelimit-remaining'), '2');
    await client.listSources();
    await client.query('SELECT 2 AS two').toArray();
    await expectGrpcError(client.query('SELECT 3 AS three').toArray(), 'RATE_LIMITED');
    const refusedMcp = await mcpPost(auth);
    await expectHttpError(refusedMcp, 429, 'RATE_LIMITED');
  });

  test('identities are counted apart, and the tier comes from the principal', async () => {
    const pro = await httpQuery(await bearer('rpm-pro', { tier: 'pro' }), 'SELECT 1 AS one');
    await pro.arrayBuffer();
    assert.equal(pro.headers.get('ratelimit-limit'), '1000');
    const other = await httpQuery(await bearer('rpm-other'), 'SELECT 1 AS one');
    await other.arrayBuffer();
    assert.equal(other.headers.get('ratelimit-limit'), '5');
    assert.equal(other.headers.get('ratelimit-remaining'), '4');
  });
});

describe('concurrent queries (pro tier here: one at a time)', () => {
  /** Starts ENDLESS over gRPC and resolves once the coordinator dispatched it to the edge. */
  async function startEndless(client: TributaryClient, controller: AbortController) {
    const dispatched = nextLogLine(cluster.coordinator, (line) => line.msg === 'query started');
    client
      .query(ENDLESS, { signal: controller.signal })
      .toArray()
      .catch(() => undefined);
    await dispatched;
  }

  /** True once the identity may run a query again. */
  async function slotFree(auth: string): Promise<boolean> {
    const response = await httpQuery(auth, 'SELECT 1 AS one');
    await response.arrayBuffer();
    return response.status === 200;
  }

  test('a second query while one runs is refused; cancelling the first frees its slot', async () => {
    const auth = await bearer('slots-cancel', { tier: 'pro' });
    const controller = new AbortController();
    await startEndless(grpcClient(auth), controller);
    const refused = await httpQuery(auth, 'SELECT 1 AS one');
    assert.equal(refused.headers.get('retry-after'), '1');
    const error = await expectHttpError(refused, 429, 'RATE_LIMITED');
    assert.match(error.message, /concurrent queries/);
    controller.abort();
    await eventually(() => slotFree(auth), 10_000, 'slot released after cancel');
  });

  test('completed, failed and refused queries give their slot back', async () => {
    const auth = await bearer('slots-ends', { tier: 'pro' });
    const client = grpcClient(auth);
    for (let i = 0; i < 3; i++) assert.equal((await client.query('SELECT 1 AS one').toArray()).length, 1);
    await expectGrpcError(client.query('SELECT * FROM nowhere.main.missing').toArray(), 'NOT_FOUND');
    await expectGrpcError(client.query('SELEC nonsense').toArray(), 'INVALID_ARGUMENT');
    // Fails at the edge, after the slot was taken and the query dispatched.
    await expectGrpcError(
      client.query("SELECT CAST(n AS INTEGER) FROM (SELECT 'x' || range AS n FROM range(3))").toArray(),
      'INVALID_ARGUMENT',
    );
    assert.ok(await slotFree(auth), 'slot free after failures');
  });

  test('an HTTP client that disconnects mid-query frees its slot', async () => {
    const auth = await bearer('slots-disconnect', { tier: 'pro' });
    const controller = new AbortController();
    const dispatched = nextLogLine(cluster.coordinator, (line) => line.msg === 'query started');
    const pending = httpQuery(auth, ENDLESS, controller.signal).catch(() => undefined);
    await dispatched;
    controller.abort();
    await pending;
    await eventually(() => slotFree(auth), 10_000, 'slot released after disconnect');
  });

  test('a gRPC client that stops reading a streaming result frees its slot', async () => {
    const auth = await bearer('slots-stream', { tier: 'pro' });
    const call = rawQueryService(cluster.grpcAddress).ExecuteQuery(
      { sql: 'SELECT range AS n FROM range(1000000000000)', params: [], limit: 0 },
      metadataOf({ authorization: auth }),
    );
    call.on('error', () => undefined); // the cancel below
    await new Promise<void>((resolve) => call.once('data', () => resolve()));
    call.cancel();
    await eventually(() => slotFree(auth), 10_000, 'slot released after the stream was cancelled');
  });
});
