// Two coordinators sharing Redis and one edge: a schema refresh through A
// reaches B, which already knew the edge — B serves the new tables and
// columns, reports the same source version, and no longer answers from
// results cached (by either replica) for the old schema.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../support/assertions.js';
import { Cluster, type CoordinatorEndpoints } from '../support/cluster.js';
import { signToken } from '../support/jwt.js';
import { RedisServer } from '../support/redis.js';

let redis: RedisServer;
let cluster: Cluster;
let dir: string;
let admin: string;
let a: CoordinatorEndpoints;
let b: CoordinatorEndpoints;

interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown>[];
    metadata?: { from_cache: boolean };
    error?: { code: string; message: string };
    version?: number;
  };
}

async function request(on: CoordinatorEndpoints, path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${on.httpUrl}${path}`, init);
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const query = (on: CoordinatorEndpoints, sql: string) =>
  request(on, '/v1/query', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': cluster.apiKey },
    body: JSON.stringify({ sql }),
  });

const asAdmin = (on: CoordinatorEndpoints, path: string, method = 'GET') =>
  request(on, path, {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: method === 'POST' ? '{}' : undefined,
  });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-replica-refresh-'));
  writeFileSync(join(dir, 'a.csv'), 'id,name\n1,one\n');
  redis = await RedisServer.start();
  cluster = await Cluster.start({
    edges: [{ name: 'edge-1', sources: [{ name: 'lake', type: 'files', path: dir }] }],
    coordinator: {
      redis: { url: redis.url, command_timeout_ms: 1_000, connect_timeout_ms: 2_000 },
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
  admin = await signToken(cluster, { sub: 'ada', roles: ['admin'] });
});

after(async () => {
  await cluster?.stop();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('schema refresh across replicas', () => {
  test('a refresh through A changes B’s catalog and B’s cache keys for the source', async () => {
    const everything = 'SELECT * FROM lake.main.a';
    const first = await eventually(
      async () => {
        const answer = await query(b, everything);
        return answer.status === 200 ? answer : undefined;
      },
      10_000,
      'B serving the edge',
    );
    assert.deepEqual(first.body.data, [{ id: 1, name: 'one' }]);
    assert.equal((await query(b, everything)).body.metadata?.from_cache, true);
    assert.equal((await query(a, everything)).body.metadata?.from_cache, true);

    writeFileSync(join(dir, 'a.csv'), 'id,name,extra\n1,one,x\n');
    writeFileSync(join(dir, 'b.csv'), 'y\n5\n');
    const refreshed = await asAdmin(a, '/v1/sources/lake/refresh', 'POST');
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal(Number(refreshed.body.version), 2);

    const extra = await eventually(
      async () => {
        const answer = await query(b, 'SELECT extra FROM lake.main.a');
        return answer.status === 200 ? answer.body.data : undefined;
      },
      10_000,
      'B seeing the new column',
    );
    assert.deepEqual(extra, [{ extra: 'x' }]);
    assert.deepEqual((await query(b, 'SELECT y FROM lake.main.b')).body.data, [{ y: 5 }]);
    const fresh = await query(b, everything);
    assert.equal(fresh.body.metadata?.from_cache, false);
    assert.deepEqual(fresh.body.data, [{ id: 1, name: 'one', extra: 'x' }]);
    assert.equal(Number((await asAdmin(b, '/v1/sources/lake/health')).body.version), 2);

    // And the other way round: a refresh through B reaches A.
    writeFileSync(join(dir, 'c.csv'), 'z\n9\n');
    const throughB = await asAdmin(b, '/v1/sources/lake/refresh', 'POST');
    assert.equal(Number(throughB.body.version), 3);
    const onA = await eventually(
      async () => {
        const answer = await query(a, 'SELECT z FROM lake.main.c');
        return answer.status === 200 ? answer.body.data : undefined;
      },
      10_000,
      'A seeing the new table',
    );
    assert.deepEqual(onA, [{ z: 9 }]);
    assert.equal(Number((await asAdmin(a, '/v1/sources/lake/health')).body.version), 3);
  });
});
