import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger, TributaryError } from '@tributary/core';
import { AuditLog } from '../audit/index.js';
import type { Principal } from '../auth/index.js';
import type { RequestContext } from '../context.js';
import { MemoryRevocationList } from '../shared-state/index.js';
import { openStore, type Store } from '../store/index.js';
import { AdminService } from './admin-service.js';

const logger = createLogger({ service: 'test', level: 'silent' });

function contextOf(principal: Partial<Principal> & { subject: string }, requestId = 'req'): RequestContext {
  return {
    requestId,
    principal: { tenant: 'acme', roles: [], groups: [], attributes: {}, method: 'jwt', ...principal },
    protocol: 'grpc',
    signal: new AbortController().signal,
    logger,
  };
}

function code(expected: string) {
  return (error: unknown) => {
    assert.ok(error instanceof TributaryError, String(error));
    assert.equal(error.code, expected, error.message);
    return true;
  };
}

const root = contextOf({ subject: 'root', roles: ['admin'] });

/** Every AdminService call, with arguments that would be valid for an admin. */
const CALLS: [string, (admin: AdminService, ctx: RequestContext) => Promise<unknown>][] = [
  ['GetTenant', (a, c) => a.getTenant(c)],
  ['UpdateTenant', (a, c) => a.updateTenant(c, { display_name: 'x' })],
  ['ListUsers', (a, c) => a.listUsers(c, {})],
  ['GetUser', (a, c) => a.getUser(c, 'usr_x')],
  ['CreateUser', (a, c) => a.createUser(c, { subject: 'intruder' })],
  ['UpdateUser', (a, c) => a.updateUser(c, { id: 'usr_x' })],
  ['DeleteUser', (a, c) => a.deleteUser(c, 'usr_x')],
  ['ListRoles', (a, c) => a.listRoles(c)],
  ['CreateRole', (a, c) => a.createRole(c, { name: 'intruders' })],
  ['UpdateRole', (a, c) => a.updateRole(c, { name: 'viewer', description: '' })],
  ['DeleteRole', (a, c) => a.deleteRole(c, 'viewer')],
  ['ListGroups', (a, c) => a.listGroups(c)],
  ['GetGroup', (a, c) => a.getGroup(c, 'staff')],
  ['CreateGroup', (a, c) => a.createGroup(c, { name: 'intruders' })],
  ['UpdateGroup', (a, c) => a.updateGroup(c, { name: 'staff', add_members: ['usr_x'] })],
  ['DeleteGroup', (a, c) => a.deleteGroup(c, 'staff')],
  ['ListApiKeys', (a, c) => a.listApiKeys(c, {})],
  ['CreateApiKey', (a, c) => a.createApiKey(c, { name: 'k' })],
  ['RotateApiKey', (a, c) => a.rotateApiKey(c, { id: 'key_x' })],
  ['RevokeApiKey', (a, c) => a.revokeApiKey(c, 'key_x')],
  ['RevokeTokens', (a, c) => a.revokeTokens(c, { jti: 'tok_x' })],
  ['GetPolicies', (a, c) => a.getPolicies(c)],
  ['PutPolicies', (a, c) => a.putPolicies(c, { document_json: '{}', expected_version: 0 })],
  ['ListPolicyVersions', (a, c) => a.listPolicyVersions(c, {})],
  ['GetPolicyVersion', (a, c) => a.getPolicyVersion(c, 1)],
  ['ListTags', (a, c) => a.listTags(c, {})],
  ['PutTags', (a, c) => a.putTags(c, { table: 'lake.main.t', tags: ['pii'] })],
  ['ListAuditRecords', (a, c) => a.listAuditRecords(c, {})],
];

describe('AdminService', () => {
  let store: Store;
  let audit: AuditLog;
  let admin: AdminService;
  const published: number[] = [];

  before(async () => {
    store = await openStore({ path: ':memory:' });
    audit = new AuditLog(store.audit, { logger });
    admin = new AdminService({
      store,
      audit,
      // Stands in for the policy engine's schema.
      validatePolicyDocument: (document) => {
        if (typeof document !== 'object' || document === null || !('grants' in document)) {
          throw new Error('grants: required');
        }
      },
      onPolicyPublished: (_tenant, version) => published.push(version.version),
    });
  });
  after(async () => {
    await audit.stop();
    await store.close();
  });

  describe('authorization', () => {
    const outsiders = {
      'an analyst': contextOf({ subject: 'ann', roles: ['analyst'] }),
      'a principal with no roles': contextOf({ subject: 'nobody' }),
      'an admin key without the admin scope': contextOf({
        subject: 'root',
        roles: ['admin'],
        method: 'api_key',
        keyId: 'key_q',
        scopes: ['query', 'catalog'],
      }),
    };
    for (const [who, ctx] of Object.entries(outsiders)) {
      for (const [name, call] of CALLS) {
        test(`${name} by ${who} is UNAUTHORIZED`, async () => {
          await assert.rejects(call(admin, ctx), code('UNAUTHORIZED'));
        });
      }
    }

    test('an admin key with the admin scope is let in', async () => {
      const scoped = contextOf({ subject: 'root', roles: ['admin'], method: 'api_key', scopes: ['admin'] });
      await admin.listRoles(scoped);
    });

    test('nothing was changed or recorded by refused calls', async () => {
      assert.equal((await store.users.findBySubject('acme', 'intruder')) ?? null, null);
      assert.deepEqual((await admin.listAuditRecords(root, { kind: 'admin' })).records, []);
    });
  });

  describe('tenant', () => {
    test('the tenant exists on first use, with a salt only admins see, and settings merge', async () => {
      const tenant = await admin.getTenant(root);
      assert.equal(tenant.id, 'acme');
      assert.ok((tenant.hash_salt?.length ?? 0) >= 40);
      await admin.updateTenant(root, { set_settings: { region: 'eu', owner: 'data-team' } });
      const updated = await admin.updateTenant(root, {
        display_name: 'Acme',
        set_settings: { region: 'us' },
        remove_settings: ['owner'],
      });
      assert.equal(updated.display_name, 'Acme');
      assert.deepEqual(updated.settings, { region: 'us' });
      assert.equal(updated.hash_salt, tenant.hash_salt, 'the salt never changes');
      await assert.rejects(admin.updateTenant(root, { display_name: '' }), code('INVALID_ARGUMENT'));
      await assert.rejects(
        admin.updateTenant(root, { set_settings: { 'bad key': 'x' } }),
        code('INVALID_ARGUMENT'),
      );

      const records = (await admin.listAuditRecords(root, { kind: 'admin' })).records ?? [];
      const change = records.find((r) => r.admin?.action === 'tenant.update');
      assert.ok(change);
      assert.doesNotMatch(
        JSON.stringify(records),
        new RegExp(tenant.hash_salt as string),
        'the salt is not audited',
      );
    });
  });

  describe('users', () => {
    test('create, read, update, delete; input is checked', async () => {
      const user = await admin.createUser(root, {
        subject: 'carol',
        email: 'carol@acme.test',
        display_name: 'Carol',
        roles: ['analyst'],
        attributes: {
          region: { kind: 'string_value', string_value: 'EU' },
          clearance: { kind: 'int_value', int_value: '3' },
        },
      });
      assert.deepEqual(user.attributes, { region: { string_value: 'EU' }, clearance: { int_value: '3' } });
      assert.equal((await admin.getUser(root, user.id as string)).subject, 'carol');
      await assert.rejects(admin.createUser(root, { subject: 'carol' }), code('CONFLICT'));
      await assert.rejects(admin.createUser(root, { subject: '' }), code('INVALID_ARGUMENT'));
      await assert.rejects(
        admin.createUser(root, { subject: 'x', email: 'not-an-email' }),
        code('INVALID_ARGUMENT'),
      );
      await assert.rejects(
        admin.createUser(root, { subject: 'x', roles: ['ghost'] }),
        code('INVALID_ARGUMENT'),
      );
      await assert.rejects(
        admin.createUser(root, {
          subject: 'x',
          attributes: { a: { kind: 'bytes_value', bytes_value: Buffer.from('') } },
        }),
        code('INVALID_ARGUMENT'),
      );

      const updated = await admin.updateUser(root, {
        id: user.id,
        display_name: 'Carol C.',
        add_roles: ['viewer'],
        remove_roles: ['analyst'],
        remove_attributes: ['clearance'],
      });
      assert.equal(updated.display_name, 'Carol C.');
      assert.equal(updated.email, 'carol@acme.test', 'fields not sent keep their value');
      assert.deepEqual(updated.roles, ['viewer']);
      assert.deepEqual(Object.keys(updated.attributes ?? {}), ['region']);

      await assert.rejects(admin.getUser(root, 'usr_nope'), code('NOT_FOUND'));
      await assert.rejects(admin.updateUser(root, { id: 'usr_nope' }), code('NOT_FOUND'));
      assert.deepEqual(await admin.deleteUser(root, user.id as string), { revoked_api_keys: 0 });
      await assert.rejects(admin.deleteUser(root, user.id as string), code('NOT_FOUND'));
    });

    test('pagination: the cursor chain covers every user once; a bad cursor is INVALID_ARGUMENT', async () => {
      for (let i = 0; i < 31; i++) {
        await admin.createUser(root, { subject: `page-${i}`, roles: i % 3 === 0 ? ['viewer'] : [] });
      }
      const seen: string[] = [];
      let token = '';
      let pages = 0;
      do {
        const page = await admin.listUsers(root, { page_size: 4, page_token: token, filter: 'PAGE-' });
        assert.ok((page.users?.length ?? 0) <= 4);
        seen.push(...(page.users ?? []).map((u) => u.subject as string));
        token = page.next_page_token ?? '';
        pages++;
      } while (token);
      assert.equal(pages, 8);
      assert.equal(seen.length, 31);
      assert.equal(new Set(seen).size, 31);

      const viewers = await admin.listUsers(root, { page_size: 1000, role: 'viewer', filter: 'page-' });
      assert.equal(viewers.users?.length, 11);
      assert.equal(viewers.next_page_token, '');

      await assert.rejects(admin.listUsers(root, { page_token: 'not-a-cursor' }), code('INVALID_ARGUMENT'));
      const versionsCursor = (await admin.listPolicyVersions(root, { page_size: 1 })).next_page_token;
      if (versionsCursor) {
        await assert.rejects(admin.listUsers(root, { page_token: versionsCursor }), code('INVALID_ARGUMENT'));
      }
      await assert.rejects(admin.listUsers(root, { page_size: 1001 }), code('INVALID_ARGUMENT'));
      await assert.rejects(admin.listUsers(root, { page_size: -1 }), code('INVALID_ARGUMENT'));
    });
  });

  describe('roles', () => {
    test('custom roles come and go; built-in ones stay', async () => {
      const role = await admin.createRole(root, { name: 'auditor', description: 'reads the audit log' });
      assert.equal(role.built_in, false);
      await assert.rejects(admin.createRole(root, { name: 'auditor' }), code('CONFLICT'));
      await assert.rejects(admin.createRole(root, { name: '1bad name' }), code('INVALID_ARGUMENT'));
      assert.equal(
        (await admin.updateRole(root, { name: 'auditor', description: 'audits' })).description,
        'audits',
      );
      const names = (await admin.listRoles(root)).roles?.map((r) => r.name);
      assert.deepEqual(names, ['admin', 'analyst', 'viewer', 'auditor']);
      await assert.rejects(admin.deleteRole(root, 'admin'), code('INVALID_ARGUMENT'));
      assert.deepEqual(await admin.deleteRole(root, 'auditor'), { unassigned_users: 0 });
      await assert.rejects(admin.deleteRole(root, 'auditor'), code('NOT_FOUND'));
    });
  });

  describe('groups', () => {
    test('create with members, add and remove members, delete; each change audited', async () => {
      const ctx = contextOf({ subject: 'gwen', roles: ['admin'] }, 'req-groups');
      const ike = await admin.createUser(ctx, { subject: 'ike' });
      const jo = await admin.createUser(ctx, { subject: 'jo' });
      const group = await admin.createGroup(ctx, {
        name: 'data-eng',
        description: 'synced from the IdP',
        member_user_ids: [ike.id as string],
      });
      assert.deepEqual(group.member_user_ids, [ike.id]);
      assert.equal(group.description, 'synced from the IdP');
      await assert.rejects(admin.createGroup(ctx, { name: 'data-eng' }), code('CONFLICT'));
      await assert.rejects(admin.createGroup(ctx, { name: 'bad name!' }), code('INVALID_ARGUMENT'));
      await assert.rejects(
        admin.createGroup(ctx, { name: 'ghosts', member_user_ids: ['usr_nobody'] }),
        code('INVALID_ARGUMENT'),
      );

      const added = await admin.updateGroup(ctx, { name: 'data-eng', add_members: [jo.id as string] });
      assert.deepEqual(added.member_user_ids, [ike.id, jo.id].sort());
      assert.equal(added.description, 'synced from the IdP', 'an absent description is kept');
      assert.deepEqual((await admin.getUser(ctx, jo.id as string)).groups, ['data-eng']);
      const removed = await admin.updateGroup(ctx, {
        name: 'data-eng',
        description: 'engineers',
        remove_members: [ike.id as string],
      });
      assert.deepEqual(removed.member_user_ids, [jo.id]);
      assert.equal(removed.description, 'engineers');
      assert.deepEqual((await admin.getUser(ctx, ike.id as string)).groups, []);
      assert.deepEqual(
        (await admin.listGroups(ctx)).groups?.map((g) => g.name),
        ['data-eng'],
      );
      assert.equal((await admin.getGroup(ctx, 'data-eng')).name, 'data-eng');
      await assert.rejects(admin.updateGroup(ctx, { name: 'missing' }), code('NOT_FOUND'));

      assert.deepEqual(await admin.deleteGroup(ctx, 'data-eng'), { removed_members: 1 });
      await assert.rejects(admin.deleteGroup(ctx, 'data-eng'), code('NOT_FOUND'));
      await assert.rejects(admin.getGroup(ctx, 'data-eng'), code('NOT_FOUND'));
      assert.deepEqual((await admin.getUser(ctx, jo.id as string)).groups, []);

      const records = (await admin.listAuditRecords(root, { subject: 'gwen', kind: 'admin' })).records ?? [];
      assert.deepEqual(
        records.map((r) => r.admin?.action),
        ['group.delete', 'group.update', 'group.update', 'group.create', 'user.create', 'user.create'],
      );
      const update = records[1]?.admin;
      assert.equal(update?.target, 'data-eng');
      assert.deepEqual(JSON.parse(update?.before_json ?? '{}').member_user_ids, [ike.id, jo.id].sort());
      assert.deepEqual(JSON.parse(update?.after_json ?? '{}').member_user_ids, [jo.id]);
      assert.deepEqual(JSON.parse(records[0]?.admin?.after_json ?? '{}'), { removed_members: 1 });
    });
  });

  describe('policies', () => {
    test('versions, optimistic concurrency, validation, history', async () => {
      assert.deepEqual(await admin.getPolicies(root), {
        version: 0,
        document_json: '',
        author: '',
        comment: '',
        created_at: '',
      });
      const v1 = await admin.putPolicies(root, {
        document_json: '{ "grants": [] }',
        expected_version: 0,
        comment: 'initial',
      });
      assert.equal(v1.version, 1);
      assert.equal(v1.document_json, '{"grants":[]}');
      assert.equal(v1.author, 'root');

      // Two admins edit version 1; the second to publish gets a CONFLICT.
      const ctxA = contextOf({ subject: 'ann', roles: ['admin'] });
      const ctxB = contextOf({ subject: 'ben', roles: ['admin'] });
      await admin.putPolicies(ctxA, { document_json: '{"grants":[{"id":"a"}]}', expected_version: 1 });
      await assert.rejects(
        admin.putPolicies(ctxB, { document_json: '{"grants":[{"id":"b"}]}', expected_version: 1 }),
        (error: unknown) =>
          code('CONFLICT')(error) && (error as TributaryError).details?.current_version === 2,
      );
      assert.equal((await admin.getPolicies(root)).document_json, '{"grants":[{"id":"a"}]}');

      await assert.rejects(
        admin.putPolicies(root, { document_json: '{"grants": [', expected_version: 2 }),
        code('INVALID_ARGUMENT'),
      );
      await assert.rejects(
        admin.putPolicies(root, { document_json: '{"masks": []}', expected_version: 2 }),
        (error: unknown) =>
          code('INVALID_ARGUMENT')(error) && /grants: required/.test((error as Error).message),
      );
      await assert.rejects(
        admin.putPolicies(root, { document_json: '', expected_version: 2 }),
        code('INVALID_ARGUMENT'),
      );

      for (let v = 3; v <= 5; v++) {
        await admin.putPolicies(root, { document_json: `{"grants":[],"v":${v}}`, expected_version: v - 1 });
      }
      assert.deepEqual(published, [1, 2, 3, 4, 5], 'the engine hook hears of every version');
      const first = await admin.listPolicyVersions(root, { page_size: 2 });
      assert.deepEqual(
        first.versions?.map((v) => v.version),
        [5, 4],
      );
      const second = await admin.listPolicyVersions(root, {
        page_size: 2,
        page_token: first.next_page_token,
      });
      assert.deepEqual(
        second.versions?.map((v) => v.version),
        [3, 2],
      );
      assert.equal((await admin.getPolicyVersion(root, 1)).comment, 'initial');
      await assert.rejects(admin.getPolicyVersion(root, 99), code('NOT_FOUND'));
      await assert.rejects(admin.getPolicyVersion(root, 0), code('INVALID_ARGUMENT'));
    });

    test('without an engine hook, a document must be a JSON object', async () => {
      const plain = new AdminService({ store, audit });
      const current = (await plain.getPolicies(root)).version as number;
      await assert.rejects(
        plain.putPolicies(root, { document_json: '[1, 2]', expected_version: current }),
        code('INVALID_ARGUMENT'),
      );
      const next = await plain.putPolicies(root, {
        document_json: '{"anything": true}',
        expected_version: current,
      });
      assert.equal(next.version, current + 1);
    });
  });

  describe('tags', () => {
    test('tags of a table and its columns are replaced as a whole', async () => {
      const put = await admin.putTags(root, {
        table: 'lake.customers',
        tags: ['pii', 'gdpr'],
        columns: [
          { column: 'email', tags: ['pii', 'contact'] },
          { column: 'email', tags: ['pii'] },
        ],
      });
      assert.equal(put.table, 'lake.main.customers', 'the name is canonical');
      assert.deepEqual(put.tags, ['gdpr', 'pii']);
      assert.deepEqual(put.columns, [{ column: 'email', tags: ['contact', 'pii'] }]);
      const listed = await admin.listTags(root, { table: 'lake.main.customers' });
      assert.equal(listed.tables?.length, 1);
      await assert.rejects(
        admin.putTags(root, { table: 'customers', tags: ['pii'] }),
        code('INVALID_ARGUMENT'),
      );
      await assert.rejects(
        admin.putTags(root, { table: 'lake.main.t', tags: ['has space'] }),
        code('INVALID_ARGUMENT'),
      );
    });
  });

  describe('the audit trail of admin changes', () => {
    test('every change is recorded with who, what, before and after, and no secret', async () => {
      const ctx = contextOf(
        { subject: 'dora', roles: ['admin'], method: 'api_key', keyId: 'key_dora' },
        'req-42',
      );
      const owner = await admin.createUser(ctx, { subject: 'svc' });
      const created = await admin.createApiKey(ctx, { name: 'svc', owner_user_id: owner.id });
      await admin.rotateApiKey(ctx, { id: created.api_key?.id });
      await admin.updateUser(ctx, { id: owner.id, disabled: true });

      const records = (await admin.listAuditRecords(root, { subject: 'dora', kind: 'admin' })).records ?? [];
      assert.deepEqual(
        records.map((r) => r.admin?.action),
        ['user.update', 'api_key.rotate', 'api_key.create', 'user.create'],
      );
      for (const record of records) {
        assert.equal(record.subject, 'dora');
        assert.equal(record.key_id, 'key_dora');
        assert.equal(record.request_id, 'req-42');
        assert.equal(record.kind, 'admin');
        assert.ok(record.time);
      }
      const update = records[0]?.admin;
      assert.equal(update?.target, owner.id);
      assert.equal(JSON.parse(update?.before_json ?? '{}').disabled, false);
      assert.equal(JSON.parse(update?.after_json ?? '{}').disabled, true);
      const all = JSON.stringify(await admin.listAuditRecords(root, { page_size: 1000 }));
      assert.ok(!all.includes((created.secret as string).slice(9)), 'no secret in the audit log');
      assert.doesNotMatch(all, /trb_live_/);
    });

    test('the audit listing pages newest first and checks its filters', async () => {
      const seen = new Set<string>();
      let token = '';
      let previous = Number.POSITIVE_INFINITY;
      do {
        const page = await admin.listAuditRecords(root, { page_size: 3, page_token: token });
        for (const record of page.records ?? []) {
          assert.ok(!seen.has(record.id as string));
          seen.add(record.id as string);
          assert.ok(Number(record.id) < previous);
          previous = Number(record.id);
        }
        token = page.next_page_token ?? '';
      } while (token);
      assert.ok(seen.size > 40);

      const future = await admin.listAuditRecords(root, {
        from: new Date(Date.now() + 60_000).toISOString(),
      });
      assert.deepEqual(future.records, []);
      const past = await admin.listAuditRecords(root, { to: '2000-01-01T00:00:00Z' });
      assert.deepEqual(past.records, []);
      await assert.rejects(admin.listAuditRecords(root, { from: 'yesterday' }), code('INVALID_ARGUMENT'));
      await assert.rejects(
        admin.listAuditRecords(root, { from: '2025-01-01T00:00' }),
        code('INVALID_ARGUMENT'),
      );
      await assert.rejects(admin.listAuditRecords(root, { kind: 'other' }), code('INVALID_ARGUMENT'));
      await assert.rejects(
        admin.listAuditRecords(root, { from: '2025-02-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }),
        code('INVALID_ARGUMENT'),
      );
      await assert.rejects(admin.listAuditRecords(root, { page_token: 'nope' }), code('INVALID_ARGUMENT'));
    });
  });
});

describe('AdminService revocations', () => {
  let store: Store;
  let admin: AdminService;
  let revocations: MemoryRevocationList;
  const now = Date.parse('2030-01-01T00:00:00Z');

  before(async () => {
    store = await openStore({ path: ':memory:' });
    revocations = new MemoryRevocationList(() => now);
    admin = new AdminService({
      store,
      audit: new AuditLog(store.audit, { logger }),
      revocations,
      clock: () => now,
    });
  });
  after(() => store.close());

  test("RevokeTokens blocks one token until it expires, or a subject's tokens issued before now", async () => {
    const byId = await admin.revokeTokens(root, { jti: 'tok-1', expires_at: '2030-01-01T01:00:00Z' });
    assert.equal(byId.expires_at, '2030-01-01T01:00:00.000Z');
    assert.equal(revocations.isTokenRevoked('acme', 'anyone', 'tok-1', now - 1), true);
    assert.equal(revocations.isTokenRevoked('acme', 'anyone', 'tok-2', now - 1), false);
    const user = await admin.createUser(root, { subject: 'carol' });
    const bySubject = await admin.revokeTokens(root, { user_id: user.id });
    assert.equal(bySubject.subject, 'carol');
    assert.equal(revocations.isTokenRevoked('acme', 'carol', 'tok-3', now - 1_000), true);
    assert.equal(revocations.isTokenRevoked('acme', 'carol', 'tok-3', now), false);
  });

  test('RevokeTokens refuses requests that name nothing, too much, or an unknown user', async () => {
    await assert.rejects(admin.revokeTokens(root, {}), code('INVALID_ARGUMENT'));
    await assert.rejects(admin.revokeTokens(root, { jti: 'a', subject: 'b' }), code('INVALID_ARGUMENT'));
    await assert.rejects(
      admin.revokeTokens(root, { subject: 'b', expires_at: '2030-01-02T00:00:00Z' }),
      code('INVALID_ARGUMENT'),
    );
    await assert.rejects(
      admin.revokeTokens(root, { jti: 'a', expires_at: 'tomorrow' }),
      code('INVALID_ARGUMENT'),
    );
    await assert.rejects(
      admin.revokeTokens(root, { jti: 'a', expires_at: '2029-01-01T00:00:00Z' }),
      code('INVALID_ARGUMENT'),
    );
    await assert.rejects(admin.revokeTokens(root, { user_id: 'usr_missing' }), code('NOT_FOUND'));
  });

  test('deleting or disabling a user revokes it for every replica; enabling it again lifts that', async () => {
    const user = await admin.createUser(root, { subject: 'dave' });
    await admin.updateUser(root, { id: user.id, disabled: true });
    assert.equal(revocations.isUserRevoked('acme', 'dave'), true);
    await admin.updateUser(root, { id: user.id, disabled: false });
    assert.equal(revocations.isUserRevoked('acme', 'dave'), false);
    await admin.deleteUser(root, user.id as string);
    assert.equal(revocations.isUserRevoked('acme', 'dave'), true);
  });
});
