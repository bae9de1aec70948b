import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TributaryError } from '@tributary/core';
import { openStore, type Page, type Store } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'tributary-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function code(expected: string) {
  return (error: unknown) => {
    assert.ok(error instanceof TributaryError, String(error));
    assert.equal(error.code, expected, error.message);
    return true;
  };
}

/** Follows a listing's cursors to the end; returns every page. */
async function allPages<T>(list: (cursor?: string) => Promise<Page<T>>): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    pages.push(page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return pages;
}

describe('the embedded store (file-backed)', () => {
  const path = join(dir, 'store.duckdb');
  let now = Date.parse('2025-03-01T10:00:00Z');
  const clock = () => now;
  let store: Store;
  before(async () => {
    store = await openStore({ path, clock });
    await store.tenants.ensure('acme', 'Acme Corp');
    await store.tenants.ensure('globex');
  });
  after(() => store.close());

  describe('tenants', () => {
    test('ensure creates once, with a salt and the built-in roles', async () => {
      const first = await store.tenants.get('acme');
      const again = await store.tenants.ensure('acme', 'Other name');
      assert.equal(again.displayName, 'Acme Corp');
      assert.equal(again.hashSalt, first?.hashSalt);
      assert.ok((first?.hashSalt.length ?? 0) >= 40);
      assert.notEqual((await store.tenants.get('globex'))?.hashSalt, first?.hashSalt);
      const roles = await store.roles.list('acme');
      assert.deepEqual(
        roles.filter((r) => r.builtIn).map((r) => r.name),
        ['admin', 'analyst', 'viewer'],
      );
    });

    test('update merges settings and never touches the salt', async () => {
      const before = await store.tenants.get('acme');
      await store.tenants.update('acme', { setSettings: { region: 'eu', contact: 'ops@acme.test' } });
      const updated = await store.tenants.update('acme', {
        displayName: 'ACME',
        setSettings: { region: 'us' },
        removeSettings: ['contact'],
      });
      assert.equal(updated.displayName, 'ACME');
      assert.deepEqual(updated.settings, { region: 'us' });
      assert.equal(updated.hashSalt, before?.hashSalt);
      await assert.rejects(store.tenants.update('nope', {}), code('NOT_FOUND'));
    });
  });

  describe('users and roles', () => {
    test('create, read back by id and subject, refuse duplicates and unknown roles', async () => {
      const bob = await store.users.create('acme', {
        subject: 'bob',
        email: 'bob@acme.test',
        displayName: 'Bob',
        roles: ['analyst', 'viewer'],
        attributes: { region: 'EU', clearance: 2, contractor: false },
      });
      assert.match(bob.id, /^usr_/);
      assert.deepEqual(bob.roles, ['analyst', 'viewer']);
      assert.deepEqual(await store.users.findBySubject('acme', 'bob'), bob);
      assert.equal(await store.users.findBySubject('globex', 'bob'), undefined, 'tenants are separate');
      await assert.rejects(store.users.create('acme', { subject: 'bob' }), code('CONFLICT'));
      await assert.rejects(
        store.users.create('acme', { subject: 'carol', roles: ['wizard'] }),
        code('INVALID_ARGUMENT'),
      );
      assert.equal(await store.users.findBySubject('acme', 'carol'), undefined, 'nothing half-created');
    });

    test('update merges attributes and roles', async () => {
      const bob = (await store.users.findBySubject('acme', 'bob'))!;
      now += 1_000;
      const updated = await store.users.update('acme', bob.id, {
        displayName: 'Robert',
        addRoles: ['admin'],
        removeRoles: ['viewer'],
        setAttributes: { region: 'US', department: 'sales' },
        removeAttributes: ['contractor'],
      });
      assert.equal(updated.displayName, 'Robert');
      assert.equal(updated.email, 'bob@acme.test');
      assert.deepEqual(updated.roles, ['admin', 'analyst']);
      assert.deepEqual(updated.attributes, { region: 'US', clearance: 2, department: 'sales' });
      assert.equal(updated.updatedAt, now);
      assert.equal(updated.createdAt, bob.createdAt);
      await assert.rejects(store.users.update('acme', 'usr_missing', {}), code('NOT_FOUND'));
      await assert.rejects(
        store.users.update('acme', bob.id, { addRoles: ['nope'] }),
        code('INVALID_ARGUMENT'),
      );
    });

    test('custom roles: create, conflict, describe, delete unassigns; built-ins stay', async () => {
      await store.roles.create('acme', { name: 'auditor', description: 'reads the audit log' });
      await assert.rejects(
        store.roles.create('acme', { name: 'auditor', description: '' }),
        code('CONFLICT'),
      );
      const described = await store.roles.update('acme', 'auditor', { description: 'audits' });
      assert.equal(described.description, 'audits');
      const dana = await store.users.create('acme', { subject: 'dana', roles: ['auditor'] });
      const deleted = await store.roles.delete('acme', 'auditor');
      assert.equal(deleted?.unassignedUsers, 1);
      assert.deepEqual((await store.users.get('acme', dana.id))?.roles, []);
      await assert.rejects(store.roles.delete('acme', 'admin'), code('INVALID_ARGUMENT'));
      assert.equal(await store.roles.delete('acme', 'auditor'), undefined);
      await assert.rejects(store.roles.update('acme', 'auditor', { description: '' }), code('NOT_FOUND'));
    });

    test('listing: the cursor chain covers every user once, with filters', async () => {
      for (let i = 0; i < 23; i++) {
        await store.users.create('globex', {
          subject: `user-${String(i).padStart(2, '0')}`,
          email: i % 3 === 0 ? `Sales${i}@globex.test` : `eng${i}@globex.test`,
          roles: i % 2 === 0 ? ['viewer'] : [],
        });
      }
      const pages = await allPages((cursor) => store.users.list('globex', { limit: 5, cursor }));
      assert.deepEqual(
        pages.map((p) => p.length),
        [5, 5, 5, 5, 3],
      );
      const ids = pages.flat().map((u) => u.id);
      assert.equal(new Set(ids).size, 23);
      assert.deepEqual(ids, [...ids].sort());

      const sales = (
        await allPages((cursor) => store.users.list('globex', { limit: 2, cursor, filter: 'SALES' }))
      )
        .flat()
        .map((u) => u.subject)
        .sort();
      assert.deepEqual(sales, [
        'user-00',
        'user-03',
        'user-06',
        'user-09',
        'user-12',
        'user-15',
        'user-18',
        'user-21',
      ]);
      const viewers = await store.users.list('globex', { limit: 100, role: 'viewer' });
      assert.equal(viewers.items.length, 12);
      assert.equal(viewers.nextCursor, undefined);
      const none = await store.users.list('globex', { limit: 100, filter: '%' });
      assert.deepEqual(none.items, [], 'the filter is a plain substring, not a LIKE pattern');
    });

    test('a cursor that is not one the store issued is INVALID_ARGUMENT', async () => {
      await assert.rejects(
        store.users.list('acme', { limit: 5, cursor: 'garbage!' }),
        code('INVALID_ARGUMENT'),
      );
      const policyCursor = Buffer.from(JSON.stringify({ l: 'policy_versions', a: 3 })).toString('base64url');
      await assert.rejects(
        store.users.list('acme', { limit: 5, cursor: policyCursor }),
        code('INVALID_ARGUMENT'),
      );
    });
  });

  describe('groups', () => {
    test("create, list, describe, change members, read a user's groups", async () => {
      const gil = await store.users.create('acme', { subject: 'group-gil' });
      const gus = await store.users.create('acme', { subject: 'group-gus' });
      now += 1_000;
      const created = await store.groups.create('acme', {
        name: 'data-eng',
        description: 'from the IdP',
        members: [gus.id, gil.id, gil.id],
      });
      assert.equal(created.tenant, 'acme');
      assert.deepEqual(created.members, [gil.id, gus.id].sort());
      assert.equal(created.createdAt, now);
      await assert.rejects(
        store.groups.create('acme', { name: 'data-eng', description: '' }),
        code('CONFLICT'),
      );
      await assert.rejects(
        store.groups.create('acme', { name: 'ghosts', description: '', members: ['usr_missing'] }),
        code('INVALID_ARGUMENT'),
      );
      assert.equal(await store.groups.get('acme', 'ghosts'), undefined, 'a refused create leaves nothing');
      await store.groups.create('acme', { name: 'analysts', description: '' });
      assert.deepEqual(
        (await store.groups.list('acme')).map((g) => g.name),
        ['analysts', 'data-eng'],
      );
      assert.deepEqual(await store.groups.list('globex'), []);

      assert.deepEqual(await store.groups.groupsOf('acme', gil.id), ['data-eng']);
      assert.deepEqual((await store.users.get('acme', gil.id))?.groups, ['data-eng']);
      assert.deepEqual((await store.users.findBySubject('acme', 'group-gil'))?.groups, ['data-eng']);

      now += 1_000;
      const updated = await store.groups.update('acme', 'data-eng', {
        description: 'synced nightly',
        removeMembers: [gus.id],
      });
      assert.equal(updated.description, 'synced nightly');
      assert.deepEqual(updated.members, [gil.id]);
      assert.equal(updated.updatedAt, now);
      assert.deepEqual((await store.users.get('acme', gus.id))?.groups, []);

      assert.deepEqual(
        (await store.groups.addMembers('acme', 'analysts', [gil.id, gus.id])).members.length,
        2,
      );
      assert.deepEqual((await store.groups.removeMembers('acme', 'analysts', [gus.id])).members, [gil.id]);
      assert.deepEqual((await store.groups.setMembers('acme', 'analysts', [gus.id])).members, [gus.id]);
      assert.deepEqual(await store.groups.groupsOf('acme', gil.id), ['data-eng']);
      assert.deepEqual(await store.groups.groupsOf('acme', gus.id), ['analysts']);
      await assert.rejects(store.groups.update('acme', 'missing', { description: 'x' }), code('NOT_FOUND'));
      await assert.rejects(
        store.groups.addMembers('acme', 'analysts', ['usr_nobody']),
        code('INVALID_ARGUMENT'),
      );
    });

    test("deleting a group removes its memberships; deleting a user removes the user's", async () => {
      const ida = await store.users.create('acme', { subject: 'group-ida' });
      const ivo = await store.users.create('acme', { subject: 'group-ivo' });
      await store.groups.create('acme', { name: 'temps', description: '', members: [ida.id, ivo.id] });
      await store.groups.create('acme', { name: 'keepers', description: '', members: [ida.id, ivo.id] });

      const deleted = await store.groups.delete('acme', 'temps');
      assert.equal(deleted?.removedMembers, 2);
      assert.equal(deleted?.group.name, 'temps');
      assert.equal(await store.groups.get('acme', 'temps'), undefined);
      assert.equal(await store.groups.delete('acme', 'temps'), undefined);
      assert.deepEqual((await store.users.get('acme', ida.id))?.groups, ['keepers']);

      await store.users.delete('acme', ida.id);
      assert.deepEqual((await store.groups.get('acme', 'keepers'))?.members, [ivo.id]);
      // A user created again for the subject starts without the old memberships.
      const again = await store.users.create('acme', { subject: 'group-ida' });
      assert.deepEqual(again.groups, []);
    });
  });

  describe('API keys', () => {
    test('create, find by secret, rotate with an end for the old secret, revoke', async () => {
      const owner = await store.users.create('acme', { subject: 'etl', roles: ['analyst'] });
      const key = await store.apiKeys.create('acme', {
        id: 'key_1',
        name: 'etl',
        ownerUserId: owner.id,
        scopes: ['query'],
        secretSha256: 'a'.repeat(64),
      });
      assert.deepEqual(key.scopes, ['query']);
      const found = await store.apiKeys.findBySecret('a'.repeat(64));
      assert.equal(found?.key.id, 'key_1');
      assert.equal(found?.owner?.subject, 'etl');
      assert.equal(found?.secretExpiresAt, undefined);

      const graceEnd = now + 3_600_000;
      const rotated = await store.apiKeys.rotate('acme', 'key_1', {
        secretSha256: 'b'.repeat(64),
        previousSecretExpiresAt: graceEnd,
      });
      assert.equal(rotated.previousSecretExpiresAt, graceEnd);
      assert.equal(rotated.rotatedAt, now);
      assert.equal((await store.apiKeys.findBySecret('a'.repeat(64)))?.secretExpiresAt, graceEnd);
      assert.equal((await store.apiKeys.findBySecret('b'.repeat(64)))?.secretExpiresAt, undefined);

      await store.apiKeys.recordUse('acme', 'key_1', now);
      assert.equal((await store.apiKeys.get('acme', 'key_1'))?.lastUsedAt, now);

      const revoked = await store.apiKeys.revoke('acme', 'key_1');
      assert.equal(revoked.revokedAt, now);
      assert.equal(await store.apiKeys.findBySecret('b'.repeat(64)), undefined);
      await assert.rejects(
        store.apiKeys.rotate('acme', 'key_1', { secretSha256: 'c'.repeat(64), previousSecretExpiresAt: now }),
        code('INVALID_ARGUMENT'),
      );
      assert.deepEqual(await store.apiKeys.list('acme', { ownerUserId: owner.id }), []);
      assert.equal(
        (await store.apiKeys.list('acme', { ownerUserId: owner.id, includeRevoked: true })).length,
        1,
      );
    });

    test('deleting the owner revokes its keys at once', async () => {
      const owner = await store.users.create('acme', { subject: 'temp' });
      await store.apiKeys.create('acme', {
        id: 'key_2',
        name: 'temp',
        ownerUserId: owner.id,
        scopes: [],
        secretSha256: 'd'.repeat(64),
      });
      const deleted = await store.users.delete('acme', owner.id);
      assert.equal(deleted?.revokedKeys, 1);
      assert.equal(await store.users.isDeletedSubject('acme', 'temp'), true, 'the subject is remembered');
      assert.equal(await store.users.isDeletedSubject('globex', 'temp'), false);
      assert.equal(await store.apiKeys.findBySecret('d'.repeat(64)), undefined);
      assert.ok((await store.apiKeys.get('acme', 'key_2'))?.revokedAt);
      assert.equal(await store.users.delete('acme', owner.id), undefined);
      await store.users.create('acme', { subject: 'temp2' });
      assert.equal(await store.users.isDeletedSubject('acme', 'temp'), true);
      const again = await store.users.create('acme', { subject: 'temp' });
      assert.equal(await store.users.isDeletedSubject('acme', 'temp'), false, 'created again, it is known');
      await store.users.delete('acme', again.id);
      await assert.rejects(
        store.apiKeys.create('acme', {
          id: 'key_3',
          name: 'orphan',
          ownerUserId: owner.id,
          scopes: [],
          secretSha256: 'e'.repeat(64),
        }),
        code('NOT_FOUND'),
      );
    });
  });

  describe('policies', () => {
    test('versions increase; a stale expected version is a CONFLICT', async () => {
      assert.equal(await store.policies.current('acme'), undefined);
      const v1 = await store.policies.publish('acme', {
        document: '{"grants":[]}',
        author: 'bob',
        comment: 'first',
        expectedVersion: 0,
      });
      assert.equal(v1.version, 1);
      await assert.rejects(
        store.policies.publish('acme', { document: '{}', author: 'bob', comment: '', expectedVersion: 0 }),
        (error: unknown) =>
          code('CONFLICT')(error) && (error as TributaryError).details?.current_version === 1,
      );
      for (let v = 2; v <= 7; v++) {
        await store.policies.publish('acme', {
          document: `{"v":${v}}`,
          author: 'bob',
          comment: '',
          expectedVersion: v - 1,
        });
      }
      assert.equal((await store.policies.current('acme'))?.document, '{"v":7}');
      assert.equal((await store.policies.get('acme', 1))?.document, '{"grants":[]}');
      assert.equal(await store.policies.current('globex'), undefined, 'tenants are separate');
      const pages = await allPages((cursor) => store.policies.listVersions('acme', { limit: 3, cursor }));
      assert.deepEqual(
        pages.map((p) => p.map((v) => v.version)),
        [[7, 6, 5], [4, 3, 2], [1]],
      );
    });
  });

  describe('tags', () => {
    test('replace sets the table and column tags as given', async () => {
      await store.tags.replace('acme', 'lake.main.customers', {
        tags: ['pii'],
        columns: { email: ['pii', 'contact', 'pii'], name: ['pii'] },
      });
      const replaced = await store.tags.replace('acme', 'lake.main.customers', {
        tags: ['pii', 'gdpr'],
        columns: { email: ['contact'] },
      });
      assert.deepEqual(replaced.tags, ['gdpr', 'pii']);
      assert.deepEqual(replaced.columns, { email: ['contact'] });
      await store.tags.replace('acme', 'lake.main.orders', { tags: [], columns: { total: ['finance'] } });
      assert.deepEqual(
        (await store.tags.list('acme')).map((t) => t.table),
        ['lake.main.customers', 'lake.main.orders'],
      );
      assert.deepEqual((await store.tags.list('acme', 'lake.main.orders'))[0]?.columns, {
        total: ['finance'],
      });
      const cleared = await store.tags.replace('acme', 'lake.main.orders', { tags: [], columns: {} });
      assert.deepEqual(cleared.tags, []);
      assert.deepEqual(await store.tags.list('acme', 'lake.main.orders'), []);
    });
  });

  describe('audit', () => {
    test('append and list newest first, with filters and cursors', async () => {
      const base = Date.parse('2025-04-01T00:00:00Z');
      const entries = Array.from({ length: 12 }, (_, i) =>
        i % 2 === 0
          ? {
              kind: 'query' as const,
              time: base + i * 60_000,
              requestId: `r${i}`,
              tenant: 'acme',
              subject: i % 4 === 0 ? 'alice' : 'bob',
              queryId: `q${i}`,
              protocol: 'grpc',
              sql: 'SELECT 1',
              tables: ['lake.main.orders'],
              columns: ['lake.main.orders.id'],
              decision: 'allowed' as const,
              rows: i,
              bytes: 100,
              durationMs: 5,
            }
          : {
              kind: 'admin' as const,
              time: base + i * 60_000,
              requestId: `r${i}`,
              tenant: 'acme',
              subject: 'bob',
              keyId: 'key_x',
              action: 'user.update',
              target: `usr_${i}`,
              before: { disabled: false },
              after: { disabled: true },
            },
      );
      await store.audit.append(entries);
      await store.audit.append([{ ...entries[0]!, tenant: 'globex' }]);

      const pages = await allPages((cursor) => store.audit.list('acme', { limit: 5, cursor }));
      const all = pages.flat();
      assert.equal(all.length, 12);
      assert.deepEqual(
        all.map((r) => r.requestId),
        entries.map((e) => e.requestId).reverse(),
      );
      assert.equal(new Set(all.map((r) => r.id)).size, 12);
      const first = all.at(-1);
      assert.equal(first?.kind, 'query');
      if (first?.kind === 'query') {
        assert.equal(first.queryId, 'q0');
        assert.deepEqual(first.tables, ['lake.main.orders']);
        assert.equal(first.decision, 'allowed');
        assert.equal(first.time, base);
      }
      const admin = all[0];
      assert.equal(admin?.kind, 'admin');
      if (admin?.kind === 'admin') {
        assert.deepEqual(admin.after, { disabled: true });
        assert.equal(admin.keyId, 'key_x');
      }

      const alice = await store.audit.list('acme', { limit: 100, subject: 'alice' });
      assert.deepEqual(
        alice.items.map((r) => r.requestId),
        ['r8', 'r4', 'r0'],
      );
      const admins = await store.audit.list('acme', { limit: 100, kind: 'admin' });
      assert.equal(admins.items.length, 6);
      const window = await store.audit.list('acme', {
        limit: 100,
        from: base + 2 * 60_000,
        to: base + 5 * 60_000,
      });
      assert.deepEqual(
        window.items.map((r) => r.requestId),
        ['r4', 'r3', 'r2'],
      );
      await assert.rejects(store.audit.list('acme', { limit: 5, cursor: 'xyz' }), code('INVALID_ARGUMENT'));
    });
  });

  test('a restart keeps everything', async () => {
    const tenant = await store.tenants.get('acme');
    const users = await store.users.list('acme', { limit: 100 });
    const keys = await store.apiKeys.list('acme', { includeRevoked: true });
    await store.close();
    store = await openStore({ path, clock });
    assert.deepEqual(await store.tenants.get('acme'), tenant);
    assert.deepEqual(await store.users.list('acme', { limit: 100 }), users);
    assert.deepEqual(await store.apiKeys.list('acme', { includeRevoked: true }), keys);
    assert.equal((await store.policies.current('acme'))?.version, 7);
    assert.equal((await store.audit.list('acme', { limit: 100 })).items.length, 12);
    // And it still takes writes.
    await store.users.create('acme', { subject: 'after-restart' });
  });
});

describe('the in-memory store', () => {
  test('serializes concurrent writers', async () => {
    const store = await openStore({ path: ':memory:' });
    try {
      await store.tenants.ensure('t');
      // Publishers racing from the same version: exactly one wins each round.
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () =>
          store.policies.publish('t', { document: '{}', author: 'x', comment: '', expectedVersion: 0 }),
        ),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.users.create('t', { subject: `s${i}` })));
      assert.equal((await store.users.list('t', { limit: 100 })).items.length, 20);
    } finally {
      await store.close();
    }
  });
});

describe('saved queries in the store', () => {
  test('versions, names unique per tenant, pages, stale versions refused, delete removes every version', async () => {
    const store = await openStore({ path: ':memory:' });
    try {
      const content = { name: 'orders', description: 'd', sql: 'SELECT $a', comment: '' };
      const parameters = [{ name: 'a', type: 'integer' as const }];
      const first = await store.savedQueries.create('t', {
        ...content,
        parameters,
        id: 'sq_1',
        owner: 'ann',
      });
      assert.equal(first.version, 1);
      await assert.rejects(
        store.savedQueries.create('t', { ...content, parameters, id: 'sq_2', owner: 'bob' }),
        code('CONFLICT'),
      );
      // Another tenant may use the name.
      await store.savedQueries.create('u', { ...content, parameters, id: 'sq_1', owner: 'ann' });
      const second = await store.savedQueries.addVersion('t', 'sq_1', {
        ...content,
        sql: 'SELECT $a + 1',
        parameters,
        author: 'bob',
        expectedVersion: 1,
      });
      assert.equal(second.version, 2);
      assert.equal(second.sql, 'SELECT $a + 1');
      assert.equal(second.owner, 'ann');
      await assert.rejects(
        store.savedQueries.addVersion('t', 'sq_1', {
          ...content,
          parameters,
          author: 'x',
          expectedVersion: 1,
        }),
        code('CONFLICT'),
      );
      assert.equal((await store.savedQueries.getVersion('t', 'sq_1', 1))?.sql, 'SELECT $a');
      assert.deepEqual((await store.savedQueries.getVersion('t', 'sq_1', 1))?.parameters, parameters);
      const versions = await allPages((cursor) =>
        store.savedQueries.listVersions('t', 'sq_1', { limit: 1, cursor }),
      );
      assert.deepEqual(
        versions.map((page) => page.map((v) => v.version)),
        [[2], [1]],
      );
      for (const name of ['b', 'c', 'a']) {
        await store.savedQueries.create('t', {
          ...content,
          name,
          parameters,
          id: `sq_${name}`,
          owner: 'ann',
        });
      }
      const names = await allPages((cursor) => store.savedQueries.list('t', { limit: 2, cursor }));
      assert.deepEqual(
        names.flat().map((q) => q.name),
        ['a', 'b', 'c', 'orders'],
      );
      assert.equal((await store.savedQueries.list('t', { limit: 10, filter: 'ORD' })).items.length, 1);
      assert.equal((await store.savedQueries.delete('t', 'sq_1'))?.id, 'sq_1');
      assert.equal(await store.savedQueries.get('t', 'sq_1'), undefined);
      assert.equal(await store.savedQueries.getVersion('t', 'sq_1', 1), undefined);
      assert.equal((await store.savedQueries.get('u', 'sq_1'))?.version, 1);
    } finally {
      await store.close();
    }
  });
});

describe('agents in the store', () => {
  const definition = {
    name: 'report',
    description: 'd',
    instructions: 'i',
    tools: ['query.run'],
    scope: { tables: [{ table: 'lake.main.customers', columns: ['id'] }] },
    rateLimitTier: '',
    limits: { maxSteps: 0, maxRunTimeMs: 0, maxRowsPerStep: 5 },
    provider: '',
    playbook: [
      {
        name: 'a',
        sql: 'SELECT $1',
        params: [{ name: '', value: { bigint: '9007199254740993' } }],
        assertions: [],
      },
    ],
  };

  test('definitions versioned, names unique per tenant, runs kept with their transcript', async () => {
    const store = await openStore({ path: ':memory:' });
    try {
      const created = await store.agents.create('t', { ...definition, id: 'agt_1', owner: 'ann' });
      assert.equal(created.version, 1);
      assert.deepEqual(created.playbook, definition.playbook);
      assert.deepEqual(created.limits, definition.limits);
      await assert.rejects(
        store.agents.create('t', { ...definition, id: 'agt_2', owner: 'bob' }),
        code('CONFLICT'),
      );
      await store.agents.create('u', { ...definition, id: 'agt_1', owner: 'ann' });
      const updated = await store.agents.update('t', 'agt_1', {
        ...definition,
        description: 'e',
        expectedVersion: 1,
      });
      assert.equal(updated.version, 2);
      assert.equal(updated.description, 'e');
      await assert.rejects(
        store.agents.update('t', 'agt_1', { ...definition, expectedVersion: 1 }),
        code('CONFLICT'),
      );
      await assert.rejects(store.agents.update('t', 'agt_9', definition), code('NOT_FOUND'));
      for (const name of ['b', 'c'])
        await store.agents.create('t', { ...definition, name, id: `agt_${name}`, owner: 'bob' });
      const pages = await allPages((cursor) => store.agents.list('t', { limit: 2, cursor }));
      assert.deepEqual(
        pages.map((p) => p.map((a) => a.name)),
        [['b', 'c'], ['report']],
      );
      assert.deepEqual(
        (await store.agents.list('t', { owner: 'ann', limit: 10 })).items.map((a) => a.id),
        ['agt_1'],
      );

      const run = {
        tenant: 't',
        id: 'arun_1',
        agentId: 'agt_1',
        agentVersion: 2,
        status: 'running' as const,
        startedBy: 'ann',
        input: '',
        startedAt: 1_000,
        answer: '',
        queryIds: [],
        events: [{ sequence: 1, time: 1_000, kind: 'run_started' }],
      };
      await store.agents.saveRun(run);
      assert.deepEqual(
        (await store.agents.runningRuns()).map((r) => r.id),
        ['arun_1'],
      );
      await store.agents.saveRun({ ...run, status: 'succeeded', endedAt: 2_000, queryIds: ['q1'] });
      const read = await store.agents.getRun('t', 'arun_1');
      assert.equal(read?.status, 'succeeded');
      assert.equal(read?.endedAt, 2_000);
      assert.deepEqual(read?.queryIds, ['q1']);
      assert.deepEqual(read?.events, run.events);
      assert.deepEqual(await store.agents.runningRuns(), []);
      await store.agents.saveRun({ ...run, id: 'arun_2', startedAt: 3_000 });
      assert.deepEqual(
        (await allPages((cursor) => store.agents.listRuns('t', 'agt_1', { limit: 1, cursor })))
          .flat()
          .map((r) => r.id),
        ['arun_2', 'arun_1'],
      );
      assert.equal(await store.agents.getRun('u', 'arun_1'), undefined);

      assert.equal((await store.agents.delete('t', 'agt_1'))?.id, 'agt_1');
      assert.equal(await store.agents.get('t', 'agt_1'), undefined);
      assert.equal(await store.agents.getRun('t', 'arun_1'), undefined);
      assert.equal((await store.agents.get('u', 'agt_1'))?.owner, 'ann');
    } finally {
      await store.close();
    }
  });
});
