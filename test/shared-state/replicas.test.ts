// Two coordinators sharing one Redis and one edge, as replicas behind a load
// balancer: the edge heartbeats to A only, yet B serves it; rate limits are
// global; a result cached through A is served from the cache by B; and a
// Redis outage degrades readiness without stopping either from serving.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, expectHttpError } from '../support/assertions.js';
import { Cluster, type CoordinatorEndpoints } from '../support/cluster.js';
import { createFixtures, type Fixtures } from '../support/fixtures.js';
import { finishStream, metadataOf, rawQueryService } from '../support/grpc.js';
import { signToken } from '../support/jwt.js';
import { RedisServer } from '../support/redis.js';

let fixtures: Fixtures;
let redis: RedisServer;
let cluster: Cluster;
let a: CoordinatorEndpoints;
let b: CoordinatorEndpoints;

const POLICIES = {
  grants: [
    { id: 'analysts-lake', effect: 'allow', to: { role: 'analyst' }, on: { source: 'lake' } },
    { id: 'analysts-warehouse', effect: 'allow', to: { role: 'analyst' }, on: { source: 'warehouse' } },
  ],
  masks: [
    {
      id: 'product-names',
      table: 'warehouse.main.products',
      column: 'name',
      mask: { kind: 'redact' },
      unless: { roles: ['admin'] },
    },
  ],
};

before(async () => {
  fixtures = await createFixtures();
  redis = await RedisServer.start();
  cluster = await Cluster.start({
    edges: [{ name: 'edge-1', sources: fixtures.sources }],
    policies: POLICIES,
    coordinator: {
      redis: { url: redis.url, command_timeout_ms: 300, connect_timeout_ms: 2_000 },
      rate_limits: {
        enabled: true,
        tiers: { free: { requests_per_minute: 6, concurrent_queries: 5 } },
        tenants: { acme: { tier: 'enterprise', requests_per_minute: 100_000 } },
      },
      result_cache: { enabled: true, ttl_ms: 60_000 },
    },
  });
  a = {
    process: cluster.coordinator,
    grpcAddress: cluster.grpcAddress,
    httpUrl: cluster.httpUrl,
    mcpUrl: cluster.mcpUrl,
  };
  b = await cluster.addCoordinator();
});

after(async () => {
  await cluster?.stop();
  await redis?.stop();
  fixtures?.cleanup();
});

interface QueryAnswer {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown>[];
    metadata?: { from_cache: boolean; row_count: number; query_id: string };
    error?: { code: string; message: string };
  };
}

async function query(on: CoordinatorEndpoints, sql: string, auth?: string): Promise<QueryAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth) headers.authorization = auth;
  else headers['x-api-key'] = cluster.apiKey;
  const response = await fetch(`${on.httpUrl}/v1/query`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ sql }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as QueryAnswer['body'],
  };
}

const bearer = async (subject: string, roles = ['analyst'], attributes: Record<string, unknown> = {}) =>
  `Bearer ${await signToken(cluster, { sub: subject, roles, attributes })}`;

describe('replicas sharing Redis', () => {
  test('an edge registered with A (and heartbeating to A) is served by B', async () => {
    const answer = await eventually(
      async () => {
        const result = await query(b, 'SELECT count(*) AS n FROM warehouse.main.products');
        return result.status === 200 ? result : undefined;
      },
      10_000,
      'B serving the edge',
    );
    assert.equal(answer.body.metadata?.from_cache, false);
    assert.ok(Number(answer.body.data?.[0]?.n) > 0);
    const ready = (await (await fetch(`${b.httpUrl}/health/ready`)).json()) as {
      status: string;
      checks: Record<string, { ok: boolean }>;
    };
    assert.equal(ready.status, 'ready');
    assert.equal(ready.checks.redis?.ok, true);
    assert.equal(ready.checks.sources?.ok, true);
    // B keeps it past several heartbeat expiries, though no heartbeat reaches B.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal((await query(b, 'SELECT 1 AS one')).status, 200);
  });

  test('rate limits are global: requests alternating between A and B hit one limit', async () => {
    const auth = await bearer('alternating', ['analyst'], { tier: 'free' });
    for (let i = 0; i < 6; i++) {
      const answer = await query(i % 2 === 0 ? a : b, 'SELECT 1 AS one', auth);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.headers.get('ratelimit-remaining'), String(5 - i));
    }
    const refusedOnA = await query(a, 'SELECT 1 AS one', auth);
    assert.equal(refusedOnA.status, 429);
    assert.equal(refusedOnA.body.error?.code, 'RATE_LIMITED');
    const refusedOnB = await finishStream(
      rawQueryService(b.grpcAddress).ExecuteQuery(
        { sql: 'SELECT 1', params: [], limit: 0 },
        metadataOf({ authorization: auth }),
      ),
    );
    assert.equal(refusedOnB.trailers.get('tributary-error-code')[0], 'RATE_LIMITED');
    assert.equal(refusedOnB.trailers.get('ratelimit-remaining')[0], '0');
  });

  test('a result cached through A is served from the cache by B, and audited as such', async () => {
    const first = await query(a, 'SELECT id, category FROM warehouse.main.products ORDER BY id');
    assert.equal(first.status, 200);
    assert.equal(first.body.metadata?.from_cache, false);
    // The same query spelled differently: the key is DuckDB's printing of the parse tree.
    const second = await eventually(
      async () => {
        const result = await query(b, 'select  id,category\nfrom WAREHOUSE.MAIN.PRODUCTS order by id');
        return result.body.metadata?.from_cache ? result : undefined;
      },
      5_000,
      'B answering from the cache',
    );
    assert.deepEqual(second.body.data, first.body.data);
    const admin = await bearer('auditor', ['analyst', 'admin']);
    const audit = await eventually(
      async () => {
        const response = await fetch(`${b.httpUrl}/v1/audit?page_size=50`, {
          headers: { authorization: admin },
        });
        const body = (await response.json()) as {
          records: { query?: { query_id: string; from_cache: boolean } }[];
        };
        return body.records.find((r) => r.query?.query_id === second.body.metadata?.query_id);
      },
      10_000,
      'the cached query in the audit log',
    );
    assert.equal(audit.query?.from_cache, true);
  });

  test('a masked and an unmasked principal never share an entry', async () => {
    const sql = 'SELECT id, name FROM warehouse.main.products ORDER BY id';
    const masked = await query(a, sql, await bearer('masked-user'));
    assert.equal(masked.status, 200);
    const unmasked = await query(a, sql, await bearer('unmasked-user', ['analyst', 'admin']));
    assert.equal(unmasked.body.metadata?.from_cache, false, 'not served the masked entry');
    assert.notDeepEqual(unmasked.body.data, masked.body.data);
    const maskedAgain = await query(b, sql, await bearer('other-masked-user'));
    assert.equal(maskedAgain.body.metadata?.from_cache, true, 'same policy outcome, same entry');
    assert.deepEqual(maskedAgain.body.data, masked.body.data);
    const unmaskedAgain = await query(b, sql, await bearer('unmasked-user', ['analyst', 'admin']));
    assert.equal(unmaskedAgain.body.metadata?.from_cache, true);
    assert.deepEqual(unmaskedAgain.body.data, unmasked.body.data);
  });

  test('a policy change makes earlier entries unreachable', async () => {
    const sql = 'SELECT id FROM warehouse.main.stores ORDER BY id';
    assert.equal((await query(a, sql)).body.metadata?.from_cache, false);
    assert.equal((await query(a, sql)).body.metadata?.from_cache, true);
    const admin = await bearer('policy-admin', ['analyst', 'admin']);
    const current = (await (
      await fetch(`${a.httpUrl}/v1/policies`, { headers: { authorization: admin } })
    ).json()) as { version: number };
    const put = await fetch(`${a.httpUrl}/v1/policies`, {
      method: 'PUT',
      headers: { authorization: admin, 'content-type': 'application/json' },
      body: JSON.stringify({ document: POLICIES, expected_version: current.version }),
    });
    assert.equal(put.status, 200, await put.text());
    assert.equal((await query(a, sql)).body.metadata?.from_cache, false);
  });

  test('without Redis both keep serving, readiness says degraded; they recover when it is back', async () => {
    await redis.stop();
    const health = await eventually(
      async () => {
        const response = await fetch(`${a.httpUrl}/health/ready`);
        const body = (await response.json()) as { status: string; checks: Record<string, { ok: boolean }> };
        return body.checks.redis?.ok === false ? { code: response.status, body } : undefined;
      },
      10_000,
      'readiness reporting Redis down',
    );
    assert.equal(health.code, 200, 'still ready: limits and cache fall back to this replica');
    assert.equal(health.body.status, 'degraded');
    for (const on of [a, b]) {
      const answer = await query(on, 'SELECT count(*) AS n FROM lake.main.customers');
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
    }
    const auth = await bearer('during-outage', ['analyst'], { tier: 'free' });
    for (let i = 0; i < 6; i++) assert.equal((await query(a, 'SELECT 1 AS one', auth)).status, 200);
    await expectHttpError(
      await fetch(`${a.httpUrl}/v1/query`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ sql: 'SELECT 1' }),
      }),
      429,
      'RATE_LIMITED',
    );

    await redis.start();
    for (const on of [a, b]) {
      await eventually(
        async () => {
          const body = (await (await fetch(`${on.httpUrl}/health/ready`)).json()) as { status: string };
          return body.status === 'ready';
        },
        15_000,
        'readiness back to ready',
      );
    }
    // Redis came back empty: A shares the edge again, and B still serves it.
    await eventually(
      async () => (await query(b, 'SELECT count(*) AS n FROM lake.main.orders')).status === 200,
      10_000,
      'B serving after recovery',
    );
    const shared = await bearer('after-outage', ['analyst'], { tier: 'free' });
    for (let i = 0; i < 6; i++)
      assert.equal((await query(i % 2 ? a : b, 'SELECT 1 AS one', shared)).status, 200);
    assert.equal((await query(b, 'SELECT 1 AS one', shared)).status, 429, 'counted in Redis again');
  });
});
