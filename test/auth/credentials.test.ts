// Authentication end to end: API keys and JWTs (RS256 via a JWKS file),
// every forgery and mistake refused as UNAUTHENTICATED on both protocols,
// and a valid token's subject used as the caller's identity.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { generateApiKey } from '@tributary/coordinator';
import { ERROR_CODE_KEY, REQUEST_ID_KEY } from '@tributary/core';
import { eventually, expectGrpcError, expectHttpError, httpJson } from '../support/assertions.js';
import { Cluster } from '../support/cluster.js';
import { createFixtures, type Fixtures } from '../support/fixtures.js';
import { finishStream, metadataOf, rawQueryService } from '../support/grpc.js';
import { epoch, hmacWithPublicKey, signToken, strangerKey, unsignedToken } from '../support/jwt.js';

let fixtures: Fixtures;
let cluster: Cluster;

before(async () => {
  fixtures = await createFixtures();
  cluster = await Cluster.start({ edges: [{ name: 'edge-1', sources: fixtures.sources }] });
});

after(async () => {
  await cluster?.stop();
  fixtures?.cleanup();
});

/** Credentials exactly as they go on the wire (HTTP headers = gRPC metadata). */
type Headers = Record<string, string>;

interface CredentialCase {
  name: string;
  headers: () => Promise<Headers> | Headers;
}

const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });

const REFUSED: CredentialCase[] = [
  { name: 'no credential at all', headers: () => ({}) },
  { name: 'an unknown API key', headers: () => ({ 'x-api-key': generateApiKey() }) },
  { name: 'an API key without the trb_live_ prefix', headers: () => ({ 'x-api-key': 'not-a-key' }) },
  { name: 'an empty API key', headers: () => ({ 'x-api-key': '' }) },
  {
    name: 'the right API key with one character changed',
    headers: () => ({
      'x-api-key': `${cluster.apiKey.slice(0, -1)}${cluster.apiKey.endsWith('A') ? 'B' : 'A'}`,
    }),
  },
  {
    name: 'an API key and a bearer token together (both valid)',
    headers: async () => ({ 'x-api-key': cluster.apiKey, ...bearer(await signToken(cluster)) }),
  },
  {
    name: 'an Authorization header that is not Bearer',
    headers: () => ({ authorization: 'Basic dXNlcjpwYXNz' }),
  },
  { name: 'a bearer token that is not a JWT', headers: () => bearer('not.a.jwt') },
  {
    name: 'a JWT signed by a key not in the JWKS',
    headers: async () => bearer(await signToken(cluster, {}, { privateKey: await strangerKey() })),
  },
  {
    name: 'a JWT naming an unknown key id',
    headers: async () => bearer(await signToken(cluster, {}, { kid: 'some-other-key' })),
  },
  {
    name: 'an expired JWT',
    headers: async () => bearer(await signToken(cluster, { iat: epoch() - 7200, exp: epoch() - 3600 })),
  },
  {
    name: 'a JWT not valid yet (nbf)',
    headers: async () => bearer(await signToken(cluster, { nbf: epoch() + 3600 })),
  },
  {
    name: 'a JWT for another audience',
    headers: async () => bearer(await signToken(cluster, { aud: 'someone-else' })),
  },
  {
    name: 'a JWT from another issuer',
    headers: async () => bearer(await signToken(cluster, { iss: 'https://evil.test' })),
  },
  {
    name: 'a JWT without an expiry',
    headers: async () => bearer(await signToken(cluster, { exp: undefined })),
  },
  {
    name: 'a JWT without a subject',
    headers: async () => bearer(await signToken(cluster, { sub: undefined })),
  },
  { name: 'an alg: none token', headers: () => bearer(unsignedToken(cluster)) },
  {
    name: 'HS256 signed with the RSA public key (PEM bytes)',
    headers: () => bearer(hmacWithPublicKey(cluster, 'pem')),
  },
  {
    name: 'HS256 signed with the RSA public key (JWK bytes)',
    headers: () => bearer(hmacWithPublicKey(cluster, 'jwk')),
  },
  {
    name: 'a valid JWT with its signature stripped',
    headers: async () => bearer((await signToken(cluster)).split('.').slice(0, 2).join('.').concat('.')),
  },
  {
    name: 'a valid JWT with a tampered payload',
    headers: async () => {
      const [header, , signature] = (await signToken(cluster)).split('.');
      const payload = Buffer.from(
        JSON.stringify({
          iss: cluster.jwt.issuer,
          aud: cluster.jwt.audience,
          sub: 'admin',
          exp: epoch() + 300,
        }),
      ).toString('base64url');
      return bearer(`${header}.${payload}.${signature}`);
    },
  },
];

describe('refused credentials → UNAUTHENTICATED (HTTP 401, gRPC UNAUTHENTICATED)', () => {
  const jwtMessages = new Set<string>();

  for (const c of REFUSED) {
    test(c.name, async () => {
      const headers = await c.headers();
      const response = await cluster.http('/v1/query', {
        method: 'POST',
        json: { sql: 'SELECT 1' },
        headers,
      });
      const httpError = await expectHttpError(response, 401, 'UNAUTHENTICATED');
      if (headers.authorization?.startsWith('Bearer ') && !headers['x-api-key'])
        jwtMessages.add(httpError.message);

      const stub = rawQueryService(cluster.grpcAddress);
      try {
        const outcome = await finishStream(
          stub.ExecuteQuery({ sql: 'SELECT 1', params: [], limit: 0 }, metadataOf(headers)),
        );
        assert.equal(outcome.code, status.UNAUTHENTICATED, outcome.details);
        assert.equal(outcome.trailers.get(ERROR_CODE_KEY)[0], 'UNAUTHENTICATED');
        assert.ok(outcome.trailers.get(REQUEST_ID_KEY)[0], 'x-request-id trailer');
        assert.equal(outcome.messages.length, 0, 'no result data');
      } finally {
        stub.close();
      }
    });
  }

  test('refused JWTs get one message that does not say which check failed', () => {
    assert.ok(jwtMessages.size >= 1);
    assert.equal(jwtMessages.size, 1, `messages: ${[...jwtMessages].join(' | ')}`);
  });
});

describe('the SDK surfaces authentication failures', () => {
  test('a wrong API key', async () => {
    await expectGrpcError(
      cluster.client({ apiKey: generateApiKey() }).query('SELECT 1').toArray(),
      'UNAUTHENTICATED',
    );
  });

  test('an expired token, on unary calls too', async () => {
    const token = await signToken(cluster, { iat: epoch() - 7200, exp: epoch() - 3600 });
    const client = cluster.client({ token });
    await expectGrpcError(client.listSources(), 'UNAUTHENTICATED');
    await expectGrpcError(client.validate('SELECT 1'), 'UNAUTHENTICATED');
    await expectGrpcError(client.getTable('lake.main.customers'), 'UNAUTHENTICATED');
  });

  test('no credential on the catalog', async () => {
    await expectGrpcError(cluster.client({}).listTables(), 'UNAUTHENTICATED');
  });
});

describe('accepted credentials', () => {
  test('the API key works on both protocols', async () => {
    assert.deepEqual(await cluster.client().query('SELECT 1 AS one').toArray(), [{ one: 1 }]);
    const body = await httpJson<{ data: unknown[] }>(cluster, '/v1/query', { sql: 'SELECT 1 AS one' });
    assert.deepEqual(body.data, [{ one: 1 }]);
  });

  test('a valid JWT works over gRPC and its subject is the caller', async () => {
    const subject = `alice-grpc-${epoch()}`;
    const token = await signToken(cluster, { sub: subject });
    const rows = await cluster
      .client({ token })
      .query('SELECT count(*) AS n FROM lake.main.customers')
      .toArray();
    assert.deepEqual(rows, [{ n: 7 }]);
    await eventually(
      () => cluster.coordinator.recentLogs().some((line) => line.subject === subject),
      5_000,
      'a coordinator log line naming the token’s subject',
    );
  });

  test('a valid JWT works over HTTP and its subject is the caller', async () => {
    const subject = `alice-http-${epoch()}`;
    const requestId = `jwt-subject-${epoch()}`;
    const token = await signToken(cluster, { sub: subject });
    const response = await cluster.http('/v1/query', {
      method: 'POST',
      json: { sql: 'SELECT count(*) AS n FROM warehouse.main.products' },
      headers: { authorization: `Bearer ${token}`, 'x-request-id': requestId },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(((await response.json()) as { data: unknown }).data, [{ n: 7 }]);
    await eventually(
      () =>
        cluster.coordinator
          .recentLogs()
          .some((line) => line.requestId === requestId && line.subject === subject),
      5_000,
      'the request logged under the token’s subject',
    );
    assert.ok(
      !cluster.coordinator
        .recentLogs()
        .some((line) => line.requestId === requestId && line.subject === 'tester'),
      'not under the API key’s subject',
    );
  });

  test('the bearer scheme is case-insensitive', async () => {
    const token = await signToken(cluster);
    const response = await cluster.http('/v1/catalog/sources', {
      headers: { authorization: `bearer ${token}` },
    });
    assert.equal(response.status, 200);
    await response.text();
  });
});

describe('every API route requires a credential; health probes do not', () => {
  const PROTECTED: [string, string, unknown?][] = [
    ['POST', '/v1/query', { sql: 'SELECT 1' }],
    ['POST', '/v1/query/validate', { sql: 'SELECT 1' }],
    ['POST', '/v1/query/build', { table: 'lake.main.customers' }],
    ['GET', '/v1/catalog/sources'],
    ['GET', '/v1/catalog/tables'],
    ['GET', '/v1/catalog/tables/lake.main.customers'],
    ['GET', '/v1/catalog/tables/lake.main.customers/records'],
  ];
  for (const [method, path, json] of PROTECTED) {
    test(`${method} ${path} without a credential → 401`, async () => {
      const response = await cluster.http(path, {
        method,
        headers: json === undefined ? {} : { 'content-type': 'application/json' },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
      await expectHttpError(response, 401, 'UNAUTHENTICATED');
    });
  }

  for (const path of ['/health', '/health/live', '/health/ready']) {
    test(`GET ${path} needs no credential`, async () => {
      const response = await cluster.http(path, { headers: {} });
      assert.equal(response.status, 200);
      await response.text();
    });
  }
});
