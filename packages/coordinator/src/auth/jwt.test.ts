import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { coordinatorConfigSchema, type JwtConfig } from '../config/coordinator-config.js';
import { JwtVerifier } from './jwt.js';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

interface SigningKey {
  kid: string;
  privateKey: PrivateKey;
  jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

function token(key: SigningKey, claims: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({
    iss: 'https://idp.test',
    aud: 'tributary',
    sub: 'alice',
    roles: ['analyst'],
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setExpirationTime('5m')
    .sign(key.privateKey);
}

/** An identity provider's JWKS endpoint whose key set the test replaces, counting fetches. */
class JwksServer {
  keys: JWK[] = [];
  fetches = 0;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((_request, response) => {
      this.fetches++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: this.keys }));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}

const COOLDOWN_MS = 1_000;

function jwtConfig(url: string, claims: Record<string, string> = {}): JwtConfig {
  const config = coordinatorConfigSchema.parse({
    auth: {
      jwt: {
        jwks_url: url,
        issuer: 'https://idp.test',
        audience: 'tributary',
        algorithms: ['RS256'],
        jwks_cooldown_ms: COOLDOWN_MS,
        claims,
      },
    },
    edges: { join_token: 'x'.repeat(16) },
  });
  return config.auth.jwt as JwtConfig;
}

describe('JWT verification against a JWKS URL', () => {
  const idp = new JwksServer();
  let url: string;
  let oldKey: SigningKey;
  let newKey: SigningKey;

  before(async () => {
    url = await idp.start();
    [oldKey, newKey] = await Promise.all([signingKey('2025-01'), signingKey('2025-02')]);
  });
  after(() => idp.stop());

  test('a rotated key is fetched once on its first unknown kid, rate-limited by the cooldown', async () => {
    idp.keys = [oldKey.jwk];
    idp.fetches = 0;
    const verifier = new JwtVerifier(jwtConfig(url), 'acme');

    assert.equal((await verifier.verify(await token(oldKey)))?.subject, 'alice');
    assert.equal(idp.fetches, 1);
    assert.equal((await verifier.verify(await token(oldKey)))?.subject, 'alice');
    assert.equal(idp.fetches, 1, 'the set is cached');

    // The identity provider rotates: the new key replaces the old one.
    idp.keys = [newKey.jwk];
    const rotated = await token(newKey);
    // Within the cooldown of the last fetch, an unknown kid does not refetch.
    assert.equal(await verifier.verify(rotated), undefined);
    assert.equal(idp.fetches, 1);

    await sleep(COOLDOWN_MS + 100);
    assert.equal((await verifier.verify(rotated))?.subject, 'alice', 'the unknown kid triggered a refetch');
    assert.equal(idp.fetches, 2);
    assert.equal((await verifier.verify(rotated))?.subject, 'alice');
    assert.equal(idp.fetches, 2, 'and the new set is cached');

    // The old key is gone from the set: its tokens fail, without another fetch inside the cooldown.
    assert.equal(await verifier.verify(await token(oldKey)), undefined);
    assert.equal(idp.fetches, 2);
  });

  test('a burst of tokens with forged kids costs at most one fetch per cooldown', async () => {
    idp.keys = [oldKey.jwk];
    idp.fetches = 0;
    const verifier = new JwtVerifier(jwtConfig(url), 'acme');
    await verifier.verify(await token(oldKey));
    await sleep(COOLDOWN_MS + 100);
    const stranger = await signingKey('forged');
    const forged = await Promise.all(Array.from({ length: 20 }, () => token(stranger)));
    const results = await Promise.all(forged.map((t) => verifier.verify(t)));
    assert.ok(results.every((r) => r === undefined));
    assert.ok(idp.fetches <= 2, `${idp.fetches} fetches`);
  });

  test('claim paths are configurable, attributes included', async () => {
    idp.keys = [oldKey.jwk];
    const verifier = new JwtVerifier(
      jwtConfig(url, {
        subject: 'email',
        roles: 'realm_access.roles',
        groups: 'idp.memberOf',
        attributes: 'abac',
      }),
      'acme',
    );
    const principal = await verifier.verify(
      await token(oldKey, {
        email: 'alice@acme.test',
        realm_access: { roles: ['admin', 'viewer'] },
        idp: { memberOf: ['data-eng', 'eu'] },
        abac: { region: 'EU', clearance: 3, contractor: false, list: ['x'], nested: { a: 1 } },
      }),
    );
    assert.deepEqual(principal, {
      tenant: 'acme',
      subject: 'alice@acme.test',
      roles: ['admin', 'viewer'],
      groups: ['data-eng', 'eu'],
      attributes: { region: 'EU', clearance: 3, contractor: false },
      method: 'jwt',
    });
  });
});
