// Only the coordinator an edge registered with may call it: EdgeService
// called directly — without a token, or with any token the coordinator did
// not sign for this edge — is refused as UNAUTHENTICATED and leaks no data.
// The registry that hands out the coordinator's keys requires the join token.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  credentials,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type Metadata,
  Server,
  ServerCredentials,
  status,
} from '@grpc/grpc-js';
import {
  type EdgeRegistryServiceClient,
  type EdgeServiceClient,
  ERROR_CODE_KEY,
  GRPC_CHANNEL_OPTIONS,
  type RegisterEdgeResponse,
  TributaryError,
  toGrpcError,
  tributaryV1,
} from '@tributary/core';
import { generateKeyPair, type JWK, SignJWT } from 'jose';
import { expectGrpcError, httpQuery } from '../support/assertions.js';
import { Cluster } from '../support/cluster.js';
import { createFixtures, type Fixtures } from '../support/fixtures.js';
import { finishStream, metadataOf, rawEdgeService, unaryCall } from '../support/grpc.js';
import { signToken } from '../support/jwt.js';

const EDGE = 'edge-1';
/** What the coordinator's edge tokens carry (packages/coordinator/src/catalog/edge-tokens.ts). */
const ISSUER = 'tributary-coordinator';
const AUDIENCE = `tributary-edge:${EDGE}`;

let fixtures: Fixtures;
let cluster: Cluster;
let edge: EdgeServiceClient;
let registry: EdgeRegistryServiceClient;
/** The coordinator's public signing key, as any holder of the join token can learn it. */
let coordinatorKey: JWK;

before(async () => {
  fixtures = await createFixtures();
  // Analysts may read the real sources and `spy`, the impostor edge's source below.
  const grants = ['lake', 'warehouse', 'spy'].map((source) => ({
    id: `analysts-read-${source}`,
    effect: 'allow',
    to: { role: 'analyst' },
    on: { source },
  }));
  cluster = await Cluster.start({ edges: [{ name: EDGE, sources: fixtures.sources }], policies: { grants } });
  const listening = cluster.edges
    .get(EDGE)
    ?.recentLogs()
    .find((line) => line.event === 'listening');
  assert.ok(listening, 'the edge logged where it listens');
  edge = rawEdgeService(`127.0.0.1:${listening.grpcPort}`);
  registry = new (tributaryV1().EdgeRegistryService)(
    cluster.grpcAddress,
    credentials.createInsecure(),
    GRPC_CHANNEL_OPTIONS,
  ) as unknown as EdgeRegistryServiceClient;
  coordinatorKey = await learnCoordinatorKey();
});

after(async () => {
  edge?.close();
  registry?.close();
  await cluster?.stop();
  fixtures?.cleanup();
});

/** Registers a throw-away edge with the join token to read the coordinator's JWKS, then deregisters it. */
async function learnCoordinatorKey(): Promise<JWK> {
  const registered = await unaryCall<RegisterEdgeResponse>(
    (metadata, options, callback) =>
      registry.Register(
        {
          join_token: cluster.joinToken,
          edge_name: 'key-reader',
          address: '127.0.0.1:9',
          sources: [{ name: 'decoy', kind: 'files', schemas: [] }],
          version: 'test',
        },
        metadata,
        options,
        callback,
      ),
    metadataOf({}),
  );
  assert.equal(registered.error, null, registered.error?.message);
  const response = registered.response as RegisterEdgeResponse;
  const deregistered = await unaryCall(
    (metadata, options, callback) =>
      registry.Deregister(
        { join_token: cluster.joinToken, edge_id: response.edge_id },
        metadata,
        options,
        callback,
      ),
    metadataOf({}),
  );
  assert.equal(deregistered.error, null);
  const jwks = JSON.parse(response.coordinator_jwks) as { keys: JWK[] };
  assert.equal(response.coordinator_issuer, ISSUER);
  return jwks.keys[0] as JWK;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const edgeClaims = () => ({ iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 120 });

interface TokenCase {
  name: string;
  /** The authorization header, or undefined for none. */
  authorization: () => Promise<string | undefined> | string | undefined;
}

const CASES: TokenCase[] = [
  { name: 'no token', authorization: () => undefined },
  { name: 'an empty bearer', authorization: () => 'Bearer ' },
  { name: 'a bearer that is not a JWT', authorization: () => 'Bearer garbage' },
  { name: 'the API key a user holds', authorization: () => `Bearer ${cluster.apiKey}` },
  {
    name: 'a user JWT valid at the coordinator',
    authorization: async () => `Bearer ${await signToken(cluster)}`,
  },
  {
    name: 'a token with the coordinator’s issuer, audience and key id, signed by another Ed25519 key',
    authorization: async () => {
      const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const token = await new SignJWT(edgeClaims())
        .setProtectedHeader({ alg: 'EdDSA', kid: coordinatorKey.kid as string })
        .sign(privateKey);
      return `Bearer ${token}`;
    },
  },
  {
    name: 'an alg: none token with the right claims',
    authorization: () => `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(edgeClaims())}.`,
  },
  {
    name: 'HS256 keyed with the coordinator’s public key',
    authorization: () => {
      const header = b64url({ alg: 'HS256', typ: 'JWT', kid: coordinatorKey.kid });
      const body = b64url(edgeClaims());
      const secret = Buffer.from(coordinatorKey.x as string, 'base64url');
      const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
      return `Bearer ${header}.${body}.${signature}`;
    },
  },
];

async function metadataFor(c: TokenCase) {
  const authorization = await c.authorization();
  return metadataOf(authorization === undefined ? {} : { authorization });
}

describe('EdgeService refuses every caller but its coordinator', () => {
  test('the coordinator itself is served (the edge works)', async () => {
    const body = await httpQuery(cluster, 'SELECT count(*) AS n FROM warehouse.main.products');
    assert.deepEqual(body.data, [{ n: 7 }]);
  });

  for (const c of CASES) {
    test(`Query with ${c.name} → UNAUTHENTICATED, no rows`, async () => {
      const outcome = await finishStream(
        edge.Query(
          { query_id: 'q_direct', sql: 'SELECT * FROM warehouse.main.products', params: [], max_rows: 0 },
          await metadataFor(c),
        ),
      );
      assert.equal(outcome.code, status.UNAUTHENTICATED, `${status[outcome.code]}: ${outcome.details}`);
      assert.equal(outcome.trailers.get(ERROR_CODE_KEY)[0], 'UNAUTHENTICATED');
      assert.equal(outcome.messages.length, 0, 'no schema, no rows');
    });

    test(`Ping and GetSchema with ${c.name} → UNAUTHENTICATED`, async () => {
      const ping = await unaryCall(
        (metadata, options, callback) => edge.Ping({}, metadata, options, callback),
        await metadataFor(c),
      );
      assert.equal(ping.error?.code, status.UNAUTHENTICATED, ping.error?.message ?? 'Ping succeeded');
      const schema = await unaryCall(
        (metadata, options, callback) =>
          edge.GetSchema({ sources: [], refresh: false }, metadata, options, callback),
        await metadataFor(c),
      );
      assert.equal(
        schema.error?.code,
        status.UNAUTHENTICATED,
        schema.error?.message ?? 'GetSchema succeeded',
      );
      assert.equal(schema.response, undefined, 'no schema leaked');
    });
  }

  test('the edge still serves its coordinator afterwards', async () => {
    const body = await httpQuery(cluster, 'SELECT count(*) AS n FROM lake.main.orders');
    assert.deepEqual(body.data, [{ n: 40 }]);
  });
});

describe('the edge registry requires the join token', () => {
  test('Register with a wrong join token → UNAUTHENTICATED, and no keys', async () => {
    const outcome = await unaryCall<RegisterEdgeResponse>(
      (metadata, options, callback) =>
        registry.Register(
          {
            join_token: `${cluster.joinToken}x`,
            edge_name: 'intruder',
            address: '127.0.0.1:9',
            sources: [{ name: 'lake', kind: 'files', schemas: [] }],
            version: 'test',
          },
          metadata,
          options,
          callback,
        ),
      metadataOf({}),
    );
    assert.equal(outcome.error?.code, status.UNAUTHENTICATED);
    assert.equal(outcome.response, undefined);
    const sources = await cluster.client().listSources();
    assert.deepEqual(
      sources.map((s) => [s.name, s.edges]),
      [
        ['lake', [EDGE]],
        ['warehouse', [EDGE]],
      ],
      'the intruder did not join',
    );
  });

  test('Heartbeat and Deregister with a wrong join token → UNAUTHENTICATED', async () => {
    const heartbeat = await unaryCall(
      (metadata, options, callback) =>
        registry.Heartbeat(
          { join_token: 'wrong-token-0123456789', edge_id: 'x', active_queries: 0 },
          metadata,
          options,
          callback,
        ),
      metadataOf({}),
    );
    assert.equal(heartbeat.error?.code, status.UNAUTHENTICATED);
    const deregister = await unaryCall(
      (metadata, options, callback) =>
        registry.Deregister(
          { join_token: 'wrong-token-0123456789', edge_id: 'x' },
          metadata,
          options,
          callback,
        ),
      metadataOf({}),
    );
    assert.equal(deregister.error?.code, status.UNAUTHENTICATED);
  });
});

describe('coordinator tokens are bound to one edge', () => {
  /**
   * An impostor edge, registered with the join token, that records the
   * authorization the coordinator sends it and refuses the query.
   */
  async function captureTokenForImpostor(): Promise<string> {
    let captured: string | undefined;
    const record = (metadata: Metadata) => {
      captured ??= String(metadata.get('authorization')[0] ?? '');
    };
    const refusal = () => toGrpcError(new TributaryError('UNAVAILABLE', 'impostor'), 'impostor');
    const query: handleServerStreamingCall<unknown, unknown> = (call) => {
      record(call.metadata);
      call.emit('error', refusal());
    };
    const unary: handleUnaryCall<unknown, unknown> = (call, callback) => {
      record(call.metadata);
      callback(refusal());
    };
    const server = new Server();
    server.addService(tributaryV1().EdgeService.service, { Query: query, Ping: unary, GetSchema: unary });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    try {
      const registered = await unaryCall<RegisterEdgeResponse>(
        (metadata, options, callback) =>
          registry.Register(
            {
              join_token: cluster.joinToken,
              edge_name: 'impostor',
              address: `127.0.0.1:${port}`,
              sources: [
                {
                  name: 'spy',
                  kind: 'files',
                  schemas: [
                    {
                      name: 'main',
                      tables: [
                        {
                          ref: { source: 'spy', schema: 'main', table: 't' },
                          kind: 'table',
                          columns: [{ name: 'x', arrow_type: 'Int32', sql_type: 'INTEGER', nullable: true }],
                          row_count_estimate: -1,
                        },
                      ],
                    },
                  ],
                },
              ],
              version: 'test',
            },
            metadata,
            options,
            callback,
          ),
        metadataOf({}),
      );
      assert.equal(registered.error, null, registered.error?.message);
      await expectGrpcError(cluster.client().query('SELECT x FROM spy.main.t').toArray(), 'UNAVAILABLE');
      const edgeId = (registered.response as RegisterEdgeResponse).edge_id;
      await unaryCall(
        (metadata, options, callback) =>
          registry.Deregister(
            { join_token: cluster.joinToken, edge_id: edgeId },
            metadata,
            options,
            callback,
          ),
        metadataOf({}),
      );
    } finally {
      server.forceShutdown();
    }
    assert.ok(captured?.startsWith('Bearer '), 'the coordinator called the impostor with a token');
    return captured as string;
  }

  test('a genuine coordinator token for another edge is refused by this one', async () => {
    const authorization = await captureTokenForImpostor();
    const [, payload] = authorization.slice(7).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as {
      aud: string;
      iss: string;
    };
    assert.equal(claims.aud, 'tributary-edge:impostor');
    assert.equal(claims.iss, ISSUER);
    const outcome = await finishStream(
      edge.Query(
        { query_id: 'q_replay', sql: 'SELECT * FROM warehouse.main.products', params: [], max_rows: 0 },
        metadataOf({ authorization }),
      ),
    );
    assert.equal(outcome.code, status.UNAUTHENTICATED, `${status[outcome.code]}: ${outcome.details}`);
    assert.equal(outcome.messages.length, 0, 'no rows for a replayed token');
  });
});
