import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger, TributaryError } from '@tributary/core';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { type CoordinatorConfig, coordinatorConfigSchema } from '../config/coordinator-config.js';
import { openStore, type Store } from '../store/index.js';
import { generateApiKey, hashApiKey } from './api-keys.js';
import { Authenticator } from './authenticator.js';
import { bootstrapConfiguredIdentities } from './bootstrap.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'tributary-auth-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function refused(error: unknown): boolean {
  return error instanceof TributaryError && error.code === 'UNAUTHENTICATED';
}

describe('Authenticator with the store', () => {
  const opsKey = generateApiKey();
  const etlKey = generateApiKey();
  let store: Store;
  let config: CoordinatorConfig;
  let auth: Authenticator;
  let sign: (claims: JWTPayload) => Promise<string>;

  before(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(
      jwksFile,
      JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] }),
    );
    sign = (claims) =>
      new SignJWT({ iss: 'https://idp.test', aud: 'tributary', ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setExpirationTime('5m')
        .sign(privateKey);
    config = coordinatorConfigSchema.parse({
      tenant: 'acme',
      auth: {
        api_keys: [
          { id: 'ops', sha256: hashApiKey(opsKey), subject: 'ops', roles: ['admin'] },
          {
            id: 'etl',
            sha256: hashApiKey(etlKey),
            subject: 'etl',
            roles: ['analyst', 'loader'],
            attributes: { team: 'data' },
          },
        ],
        jwt: {
          jwks_file: jwksFile,
          issuer: 'https://idp.test',
          audience: 'tributary',
          algorithms: ['ES256'],
          claims: { attributes: 'ext.attributes' },
        },
      },
      edges: { join_token: 'x'.repeat(16) },
    });
    store = await openStore({ path: ':memory:' });
    await bootstrapConfiguredIdentities(store, config.tenant, config.auth.api_keys, logger);
    auth = new Authenticator(config, { store, logger });
  });
  after(() => store.close());

  test('bootstrap makes each configured key a stored user with its roles, once', async () => {
    await bootstrapConfiguredIdentities(store, config.tenant, config.auth.api_keys, logger);
    const ops = await store.users.findBySubject('acme', 'ops');
    assert.deepEqual(ops?.roles, ['admin']);
    const etl = await store.users.findBySubject('acme', 'etl');
    assert.deepEqual(etl?.roles, ['analyst', 'loader']);
    assert.deepEqual(etl?.attributes, { team: 'data' });
    assert.equal((await store.roles.get('acme', 'loader'))?.builtIn, false, 'an unknown role is created');
    assert.equal((await store.users.list('acme', { limit: 100 })).items.length, 2);
  });

  test('bootstrap puts a configured role back but keeps what an admin added', async () => {
    const ops = (await store.users.findBySubject('acme', 'ops'))!;
    await store.users.update('acme', ops.id, { removeRoles: ['admin'], addRoles: ['viewer'] });
    await bootstrapConfiguredIdentities(store, config.tenant, config.auth.api_keys, logger);
    assert.deepEqual((await store.users.get('acme', ops.id))?.roles, ['admin', 'viewer']);
  });

  test('a configured key gets its stored user: roles added, attributes overridden', async () => {
    const etl = (await store.users.findBySubject('acme', 'etl'))!;
    await store.users.update('acme', etl.id, {
      addRoles: ['viewer'],
      setAttributes: { team: 'platform', level: 2 },
    });
    const principal = await auth.authenticate({ apiKey: etlKey });
    assert.equal(principal.keyId, 'etl');
    assert.equal(principal.scopes, undefined, 'configured keys are not narrowed');
    assert.deepEqual(principal.roles, ['analyst', 'loader', 'viewer']);
    assert.deepEqual(principal.attributes, { team: 'platform', level: 2 });
  });

  test('a configured key of a disabled user is refused', async () => {
    const etl = (await store.users.findBySubject('acme', 'etl'))!;
    await store.users.update('acme', etl.id, { disabled: true });
    await assert.rejects(auth.authenticate({ apiKey: etlKey }), refused);
    await store.users.update('acme', etl.id, { disabled: false });
    await auth.authenticate({ apiKey: etlKey });
  });

  test('a token of an unknown subject keeps its own roles and attributes', async () => {
    const token = await sign({
      sub: 'zoe',
      roles: ['analyst'],
      ext: { attributes: { region: 'EU', clearance: 2 } },
    });
    const principal = await auth.authenticate({ authorization: `Bearer ${token}` });
    assert.deepEqual(principal, {
      tenant: 'acme',
      subject: 'zoe',
      roles: ['analyst'],
      groups: [],
      attributes: { region: 'EU', clearance: 2 },
      method: 'jwt',
    });
  });

  test('a token of a stored subject gets the stored roles and attributes', async () => {
    await store.users.create('acme', {
      subject: 'alice',
      roles: ['viewer'],
      attributes: { region: 'US', clearance: 1 },
    });
    const token = await sign({
      sub: 'alice',
      roles: ['analyst'],
      ext: { attributes: { region: 'EU', department: 'sales', nested: { no: 1 } } },
    });
    const principal = await auth.authenticate({ authorization: `Bearer ${token}` });
    assert.deepEqual(principal.roles, ['analyst', 'viewer']);
    assert.deepEqual(principal.attributes, { region: 'US', department: 'sales', clearance: 1 });
  });

  test("a token's groups claim and the stored user's groups reach the principal", async () => {
    const gail = await store.users.create('acme', { subject: 'gail' });
    await store.groups.create('acme', { name: 'finance', description: '', members: [gail.id] });
    // A string claim is split at spaces and commas.
    const token = await sign({ sub: 'gail', groups: 'idp-sales, idp-eu finance' });
    const bearer = { authorization: `Bearer ${token}` };
    assert.deepEqual((await auth.authenticate(bearer)).groups, ['idp-sales', 'idp-eu', 'finance']);

    // Membership changes made here show at once, despite the cached identity reads.
    await store.groups.create('acme', { name: 'auditors', description: '', members: [gail.id] });
    assert.deepEqual((await auth.authenticate(bearer)).groups, [
      'idp-sales',
      'idp-eu',
      'finance',
      'auditors',
    ]);
    await store.groups.delete('acme', 'auditors');
    assert.deepEqual((await auth.authenticate(bearer)).groups, ['idp-sales', 'idp-eu', 'finance']);

    // An array claim, and a token without one.
    const listed = await sign({ sub: 'zed', groups: ['a', 'b', 3] });
    assert.deepEqual((await auth.authenticate({ authorization: `Bearer ${listed}` })).groups, ['a', 'b']);
    const none = await sign({ sub: 'zed' });
    assert.deepEqual((await auth.authenticate({ authorization: `Bearer ${none}` })).groups, []);
  });

  test("a stored API key's principal carries its owner's groups", async () => {
    const owner = await store.users.create('acme', { subject: 'keyed', roles: ['analyst'] });
    await store.groups.create('acme', { name: 'loaders', description: '', members: [owner.id] });
    const secret = generateApiKey();
    await store.apiKeys.create('acme', {
      id: 'key_groups',
      name: 'k',
      ownerUserId: owner.id,
      scopes: ['query'],
      secretSha256: hashApiKey(secret),
    });
    assert.deepEqual((await auth.authenticate({ apiKey: secret })).groups, ['loaders']);
  });

  test('a token of a disabled or deleted user is refused; created again, it works', async () => {
    const bob = await store.users.create('acme', { subject: 'bob' });
    const token = await sign({ sub: 'bob', roles: ['analyst'] });
    await auth.authenticate({ authorization: `Bearer ${token}` });
    await store.users.update('acme', bob.id, { disabled: true });
    await assert.rejects(auth.authenticate({ authorization: `Bearer ${token}` }), refused);
    await store.users.delete('acme', bob.id);
    await assert.rejects(auth.authenticate({ authorization: `Bearer ${token}` }), refused);
    await store.users.create('acme', { subject: 'bob' });
    await auth.authenticate({ authorization: `Bearer ${token}` });
  });

  test("a token naming another tenant is matched against that tenant's users only", async () => {
    const token = await sign({ sub: 'alice', tenant: 'globex', roles: ['analyst'] });
    const principal = await auth.authenticate({ authorization: `Bearer ${token}` });
    assert.equal(principal.tenant, 'globex');
    assert.deepEqual(principal.roles, ['analyst']);
    assert.deepEqual(principal.attributes, {});
  });

  test('each refusal reports its reason, from a fixed set', async () => {
    const reasons: string[] = [];
    const counting = new Authenticator(config, { store, logger, onFailure: (r) => reasons.push(r) });
    const etl = (await store.users.findBySubject('acme', 'etl')) as { id: string };
    const cases: [Parameters<Authenticator['authenticate']>[0], string][] = [
      [{}, 'missing_credentials'],
      [{ apiKey: opsKey, authorization: `Bearer ${opsKey}` }, 'ambiguous_credentials'],
      [{ authorization: 'Basic b3BzOg==' }, 'malformed_authorization'],
      [{ authorization: 'Bearer not.a.jwt' }, 'invalid_token'],
      [{ apiKey: generateApiKey() }, 'invalid_api_key'],
      [{ authorization: `Bearer ${generateApiKey()}` }, 'invalid_api_key'],
    ];
    for (const [credentials, reason] of cases) {
      reasons.length = 0;
      await assert.rejects(counting.authenticate(credentials), refused);
      assert.deepEqual(reasons, [reason], JSON.stringify(credentials));
    }
    await store.users.update('acme', etl.id, { disabled: true });
    reasons.length = 0;
    await assert.rejects(counting.authenticate({ apiKey: etlKey }), refused);
    await store.users.update('acme', etl.id, { disabled: false });
    assert.deepEqual(reasons, ['identity_disabled']);
    reasons.length = 0;
    await counting.authenticate({ apiKey: opsKey });
    assert.deepEqual(reasons, [], 'a success reports nothing');
  });

  test('a token that is not yet valid (nbf) is refused', async () => {
    const token = await sign({ sub: 'zoe', nbf: Math.floor(Date.now() / 1000) + 600 });
    await assert.rejects(auth.authenticate({ authorization: `Bearer ${token}` }), refused);
  });
});
