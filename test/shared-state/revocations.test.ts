// Two coordinators sharing one Redis, each with its own store: a key or
// token revoked through one is refused by the other — over HTTP and gRPC,
// and still while Redis is down.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { eventually } from '../support/assertions.js';
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

before(async () => {
  fixtures = await createFixtures();
  redis = await RedisServer.start();
  cluster = await Cluster.start({
    edges: [{ name: 'edge-1', sources: fixtures.sources }],
    coordinator: { redis: { url: redis.url, command_timeout_ms: 300, connect_timeout_ms: 2_000 } },
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

type Credential = { 'x-api-key': string } | { authorization: string };

async function httpStatus(on: CoordinatorEndpoints, credential: Credential): Promise<number> {
  const response = await fetch(`${on.httpUrl}/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...credential },
    body: JSON.stringify({ sql: 'SELECT 1 AS one' }),
  });
  await response.arrayBuffer();
  return response.status;
}

async function grpcStatus(on: CoordinatorEndpoints, credential: Credential): Promise<status> {
  const outcome = await finishStream(
    rawQueryService(on.grpcAddress).ExecuteQuery(
      { sql: 'SELECT 1 AS one', params: [], limit: 0 },
      metadataOf(credential),
    ),
  );
  return outcome.code;
}

const admin = async () => ({
  authorization: `Bearer ${await signToken(cluster, { sub: 'root', roles: ['admin'] })}`,
});

async function adminPost(
  on: CoordinatorEndpoints,
  path: string,
  body: unknown,
): Promise<Record<string, string>> {
  const response = await fetch(`${on.httpUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await admin()) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${path}: ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, string>;
}

const refusedEverywhere = (on: CoordinatorEndpoints, credential: Credential, what: string) =>
  eventually(
    async () =>
      (await httpStatus(on, credential)) === 401 &&
      (await grpcStatus(on, credential)) === status.UNAUTHENTICATED,
    10_000,
    what,
  );

describe('revocations across replicas', () => {
  test('a token blocked by jti through A is refused by B; another token of the same user still works', async () => {
    const blocked = { authorization: `Bearer ${await signToken(cluster, { sub: 'erin', jti: 'erin-1' })}` };
    const other = { authorization: `Bearer ${await signToken(cluster, { sub: 'erin', jti: 'erin-2' })}` };
    await eventually(async () => (await httpStatus(b, blocked)) === 200, 10_000, 'B serving queries');
    assert.equal(await grpcStatus(b, blocked), status.OK);
    await adminPost(a, '/v1/tokens/revoke', { jti: 'erin-1' });
    await refusedEverywhere(b, blocked, 'B refusing the blocked token');
    assert.equal(await httpStatus(b, other), 200);
    assert.equal(await grpcStatus(b, other), status.OK);
    assert.equal(await httpStatus(a, blocked), 401);
  });

  test("revoking all of a user's tokens through B refuses their older tokens on A", async () => {
    const old = {
      authorization: `Bearer ${await signToken(cluster, { sub: 'frank', iat: Math.floor(Date.now() / 1000) - 60 })}`,
    };
    assert.equal(await httpStatus(a, old), 200);
    const created = await adminPost(b, '/v1/users', { subject: 'frank' });
    const revoked = await adminPost(b, `/v1/users/${created.id}/revoke-tokens`, {});
    assert.equal(revoked.subject, 'frank');
    await refusedEverywhere(a, old, 'A refusing the older token');
    // A token issued after the cutoff (iat is in whole seconds) works.
    const later = {
      authorization: `Bearer ${await signToken(cluster, { sub: 'frank', iat: Math.floor(Date.now() / 1000) + 2 })}`,
    };
    assert.equal(await httpStatus(a, later), 200);
  });

  test('a configured key valid on both, whose user is deleted through A, is refused by B, also while Redis is down', async () => {
    const key = { 'x-api-key': cluster.apiKey };
    assert.equal(await httpStatus(a, key), 200);
    assert.equal(await httpStatus(b, key), 200);
    assert.equal(await grpcStatus(b, key), status.OK);
    const users = (await (
      await fetch(`${a.httpUrl}/v1/users?filter=tester`, { headers: await admin() })
    ).json()) as {
      users: { id: string; subject: string }[];
    };
    const tester = users.users.find((user) => user.subject === 'tester');
    assert.ok(tester, 'the configured key has a stored user on A');
    const deleted = await fetch(`${a.httpUrl}/v1/users/${tester.id}`, {
      method: 'DELETE',
      headers: await admin(),
    });
    assert.equal(deleted.status, 200, await deleted.text());
    await refusedEverywhere(b, key, 'B refusing the key of the deleted user');
    await redis.stop();
    // Past several sync intervals: the outage must not un-revoke anything.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.equal(await httpStatus(b, key), 401);
    assert.equal(await grpcStatus(b, key), status.UNAUTHENTICATED);
    assert.equal(await httpStatus(a, key), 401);
    await redis.start();
  });
});
