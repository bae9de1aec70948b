import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, mock, test } from 'node:test';
import { createLogger, TributaryError } from '@tributary/core';
import { AdminService } from '../admin/index.js';
import { AuditLog } from '../audit/index.js';
import { coordinatorConfigSchema } from '../config/coordinator-config.js';
import type { RequestContext } from '../context.js';
import { openStore, type Store } from '../store/index.js';
import { Authenticator } from './authenticator.js';
import type { Principal } from './principal.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const HOUR = 3_600_000;

function contextOf(principal: Principal): RequestContext {
  return { requestId: 'r', principal, protocol: 'grpc', signal: new AbortController().signal, logger };
}

const root = contextOf({
  tenant: 'acme',
  subject: 'root',
  roles: ['admin'],
  groups: [],
  attributes: {},
  method: 'api_key',
});

function unauthenticated(error: unknown): boolean {
  return error instanceof TributaryError && error.code === 'UNAUTHENTICATED';
}

describe('API keys issued through AdminService', () => {
  let now = Date.parse('2025-06-01T08:00:00Z');
  const clock = () => now;
  let store: Store;
  let admin: AdminService;
  let auth: Authenticator;
  let ownerId: string;

  before(async () => {
    store = await openStore({ path: ':memory:', clock });
    await store.tenants.ensure('acme');
    const audit = new AuditLog(store.audit, { logger });
    admin = new AdminService({ store, audit, clock });
    const config = coordinatorConfigSchema.parse({
      tenant: 'acme',
      auth: { api_keys: [] },
      edges: { join_token: 'x'.repeat(16) },
    });
    auth = new Authenticator(config, { store, logger, clock });
    const owner = await admin.createUser(root, {
      subject: 'etl-service',
      roles: ['analyst'],
      attributes: { region: { kind: 'string_value', string_value: 'EU' } },
    });
    ownerId = owner.id as string;
  });
  after(() => store.close());

  test('a new key is shown once, stored as a digest, and authenticates as its owner', async () => {
    const created = await admin.createApiKey(root, {
      name: 'nightly',
      owner_user_id: ownerId,
      scopes: ['query'],
    });
    const secret = created.secret as string;
    assert.match(secret, /^trb_live_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(created.api_key?.scopes, ['query']);
    assert.equal(created.api_key?.owner_subject, 'etl-service');

    const principal = await auth.authenticate({ apiKey: secret });
    assert.deepEqual(principal, {
      tenant: 'acme',
      subject: 'etl-service',
      roles: ['analyst'],
      groups: [],
      attributes: { region: 'EU' },
      method: 'api_key',
      keyId: created.api_key?.id,
      scopes: ['query'],
    });
    // As a bearer token too.
    assert.equal((await auth.authenticate({ authorization: `Bearer ${secret}` })).keyId, created.api_key?.id);

    const listed = await admin.listApiKeys(root, {});
    const view = listed.api_keys?.find((k) => k.id === created.api_key?.id);
    assert.ok(view);
    assert.doesNotMatch(JSON.stringify(listed), new RegExp(secret.slice(9)), 'listings carry no secret');
    assert.doesNotMatch(JSON.stringify(listed), /sha256/);
    await assert.rejects(auth.authenticate({ apiKey: `${secret}x` }), unauthenticated);
  });

  test('the digest comparison is constant-time (crypto.timingSafeEqual)', async (t) => {
    const { secret } = await admin.createApiKey(root, { name: 'timing', owner_user_id: ownerId });
    const spy = mock.method(crypto, 'timingSafeEqual');
    t.after(() => spy.mock.restore());
    await auth.authenticate({ apiKey: secret as string });
    assert.equal(spy.mock.callCount(), 1);
    const [stored, presented] = spy.mock.calls[0]?.arguments ?? [];
    assert.equal((stored as Buffer).length, 32);
    assert.equal((presented as Buffer).length, 32);
  });

  test('last use is recorded at most once a minute per key', async () => {
    const created = await admin.createApiKey(root, { name: 'busy', owner_user_id: ownerId });
    const id = created.api_key?.id as string;
    const spy = mock.method(store.apiKeys, 'recordUse');
    try {
      for (let i = 0; i < 5; i++) await auth.authenticate({ apiKey: created.secret as string });
      assert.equal(spy.mock.callCount(), 1);
      now += 30_000;
      await auth.authenticate({ apiKey: created.secret as string });
      assert.equal(spy.mock.callCount(), 1);
      now += 31_000;
      await auth.authenticate({ apiKey: created.secret as string });
      assert.equal(spy.mock.callCount(), 2);
    } finally {
      spy.mock.restore();
    }
    // The write is fire-and-forget: wait for it to land.
    for (let i = 0; i < 100 && (await store.apiKeys.get('acme', id))?.lastUsedAt !== now; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal((await store.apiKeys.get('acme', id))?.lastUsedAt, now);
  });

  test('rotation: the old secret works for the grace period, the new one at once', async () => {
    const created = await admin.createApiKey(root, { name: 'rotating', owner_user_id: ownerId });
    const old = created.secret as string;
    const rotated = await admin.rotateApiKey(root, { id: created.api_key?.id, grace_seconds: 3600 });
    const fresh = rotated.secret as string;
    assert.notEqual(fresh, old);
    assert.equal(rotated.api_key?.previous_secret_expires_at, new Date(now + HOUR).toISOString());
    assert.equal((await auth.authenticate({ apiKey: old })).keyId, created.api_key?.id);
    assert.equal((await auth.authenticate({ apiKey: fresh })).keyId, created.api_key?.id);
    now += HOUR;
    await assert.rejects(auth.authenticate({ apiKey: old }), unauthenticated);
    assert.equal((await auth.authenticate({ apiKey: fresh })).keyId, created.api_key?.id);
  });

  test('rotation grace defaults to 24 hours, 0 ends the old secret at once, more than 7 days is refused', async () => {
    const created = await admin.createApiKey(root, { name: 'grace', owner_user_id: ownerId });
    const first = created.secret as string;
    const second = (await admin.rotateApiKey(root, { id: created.api_key?.id })).secret as string;
    now += 23 * HOUR;
    await auth.authenticate({ apiKey: first });
    now += HOUR;
    await assert.rejects(auth.authenticate({ apiKey: first }), unauthenticated);

    await admin.rotateApiKey(root, { id: created.api_key?.id, grace_seconds: 0 });
    await assert.rejects(auth.authenticate({ apiKey: second }), unauthenticated);
    await assert.rejects(
      admin.rotateApiKey(root, { id: created.api_key?.id, grace_seconds: 7 * 24 * 3600 + 1 }),
      (error: unknown) => error instanceof TributaryError && error.code === 'INVALID_ARGUMENT',
    );
  });

  test('a rotation caps older secrets still in their grace period', async () => {
    const created = await admin.createApiKey(root, { name: 'twice', owner_user_id: ownerId });
    const first = created.secret as string;
    await admin.rotateApiKey(root, { id: created.api_key?.id, grace_seconds: 7 * 24 * 3600 });
    await admin.rotateApiKey(root, { id: created.api_key?.id, grace_seconds: 60 });
    now += 61_000;
    await assert.rejects(auth.authenticate({ apiKey: first }), unauthenticated);
  });

  test('revocation is immediate', async () => {
    const created = await admin.createApiKey(root, { name: 'revoked', owner_user_id: ownerId });
    await auth.authenticate({ apiKey: created.secret as string });
    const revoked = await admin.revokeApiKey(root, created.api_key?.id as string);
    assert.equal(revoked.revoked_at, new Date(now).toISOString());
    await assert.rejects(auth.authenticate({ apiKey: created.secret as string }), unauthenticated);
    const listed = await admin.listApiKeys(root, { owner_user_id: ownerId });
    assert.ok(
      !listed.api_keys?.some((k) => k.id === created.api_key?.id),
      'revoked keys are hidden by default',
    );
  });

  test('an expired key stops working', async () => {
    const created = await admin.createApiKey(root, {
      name: 'short-lived',
      owner_user_id: ownerId,
      expires_at: new Date(now + HOUR).toISOString(),
    });
    await auth.authenticate({ apiKey: created.secret as string });
    now += HOUR;
    await assert.rejects(auth.authenticate({ apiKey: created.secret as string }), unauthenticated);
    await assert.rejects(
      admin.createApiKey(root, {
        name: 'past',
        owner_user_id: ownerId,
        expires_at: new Date(now - 1).toISOString(),
      }),
      (error: unknown) => error instanceof TributaryError && error.code === 'INVALID_ARGUMENT',
    );
  });

  test('a disabled owner cannot use its keys; enabled again, it can', async () => {
    const created = await admin.createApiKey(root, { name: 'paused', owner_user_id: ownerId });
    await admin.updateUser(root, { id: ownerId, disabled: true });
    await assert.rejects(auth.authenticate({ apiKey: created.secret as string }), unauthenticated);
    await admin.updateUser(root, { id: ownerId, disabled: false });
    await auth.authenticate({ apiKey: created.secret as string });
  });

  test('role and attribute changes of the owner apply to its keys at once', async () => {
    const created = await admin.createApiKey(root, { name: 'roles', owner_user_id: ownerId });
    await admin.updateUser(root, {
      id: ownerId,
      add_roles: ['viewer'],
      set_attributes: { region: { kind: 'string_value', string_value: 'US' } },
    });
    const principal = await auth.authenticate({ apiKey: created.secret as string });
    assert.deepEqual(principal.roles, ['analyst', 'viewer']);
    assert.deepEqual(principal.attributes, { region: 'US' });
  });

  test('deleting the owner makes its keys stop working at once', async () => {
    const temp = await admin.createUser(root, { subject: 'contractor' });
    const created = await admin.createApiKey(root, { name: 'temp', owner_user_id: temp.id });
    await auth.authenticate({ apiKey: created.secret as string });
    const deleted = await admin.deleteUser(root, temp.id as string);
    assert.equal(deleted.revoked_api_keys, 1);
    await assert.rejects(auth.authenticate({ apiKey: created.secret as string }), unauthenticated);
  });

  test('a key defaults to the query and catalog scopes and its caller as owner; scopes are checked', async () => {
    const self = await admin.createUser(root, { subject: 'root', roles: ['admin'] });
    const created = await admin.createApiKey(root, { name: 'mine' });
    assert.equal(created.api_key?.owner_user_id, self.id);
    assert.deepEqual(created.api_key?.scopes, ['query', 'catalog']);
    await assert.rejects(
      admin.createApiKey(root, { name: 'bad', scopes: ['everything'] }),
      (error: unknown) => error instanceof TributaryError && error.code === 'INVALID_ARGUMENT',
    );
    // The owner is an admin, but the key lacks the admin scope.
    const principal = await auth.authenticate({ apiKey: created.secret as string });
    await assert.rejects(
      admin.listUsers(contextOf(principal), {}),
      (error: unknown) => error instanceof TributaryError && error.code === 'UNAUTHORIZED',
    );
  });
});
