import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { StoreDatabase } from './database.js';
import { openDuckDbStore } from './duckdb-store.js';
import { MIGRATIONS, migrate } from './migrations.js';

const dir = mkdtempSync(join(tmpdir(), 'tributary-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function appliedVersions(path: string): Promise<number[]> {
  const db = await StoreDatabase.open({ path, memoryLimit: '64MB' });
  try {
    const rows = await db.read((sql) => sql.all('SELECT version FROM schema_migrations ORDER BY version'));
    return rows.map((row) => Number(row.version));
  } finally {
    await db.close();
  }
}

/**
 * A user written as an older coordinator would have, with SQL of that
 * schema: today's repositories read columns and tables of the newest one.
 */
async function insertOldUser(path: string, tenant: string, id: string, subject: string, role: string) {
  const db = await StoreDatabase.open({ path, memoryLimit: '64MB' });
  try {
    await db.write(async (sql) => {
      await sql.run(
        `INSERT INTO users (tenant, id, subject, email, display_name, attributes, disabled, created_at, updated_at)
         VALUES ($tenant, $id, $subject, '', '', '{}', false, epoch_ms(0::BIGINT), epoch_ms(0::BIGINT))`,
        { tenant, id, subject },
      );
      await sql.run('INSERT INTO role_assignments (tenant, user_id, role) VALUES ($tenant, $id, $role)', {
        tenant,
        id,
        role,
      });
    });
  } finally {
    await db.close();
  }
}

describe('store migrations', () => {
  test('a new database gets every migration, each recorded once', async () => {
    const path = join(dir, 'fresh.duckdb');
    const store = await openDuckDbStore({ path });
    await store.close();
    assert.deepEqual(
      await appliedVersions(path),
      MIGRATIONS.map((m) => m.version),
    );
    // Opening again applies nothing.
    const db = await StoreDatabase.open({ path, memoryLimit: '64MB' });
    assert.deepEqual(await migrate(db), []);
    await db.close();
  });

  test('an older database is upgraded and keeps its data', async () => {
    const path = join(dir, 'old.duckdb');
    // A database written by a coordinator that only knew the first migration.
    const old = await openDuckDbStore({ path, migrations: MIGRATIONS.slice(0, 1) });
    await old.tenants.ensure('acme', 'Acme');
    await old.close();
    await insertOldUser(path, 'acme', 'usr_alice', 'alice', 'analyst');
    const alice = { id: 'usr_alice' };
    assert.deepEqual(await appliedVersions(path), [1]);

    const store = await openDuckDbStore({ path });
    try {
      const user = await store.users.get('acme', alice.id);
      assert.equal(user?.subject, 'alice');
      assert.deepEqual(user?.roles, ['analyst']);
      // Tables from the later migrations work.
      const published = await store.policies.publish('acme', {
        document: '{}',
        author: 'alice',
        comment: '',
        expectedVersion: 0,
      });
      assert.equal(published.version, 1);
    } finally {
      await store.close();
    }
    assert.deepEqual(
      await appliedVersions(path),
      MIGRATIONS.map((m) => m.version),
    );
  });

  test('a version 3 database gets groups, and its users start in none', async () => {
    const path = join(dir, 'v3.duckdb');
    const old = await openDuckDbStore({ path, migrations: MIGRATIONS.filter((m) => m.version <= 3) });
    await old.tenants.ensure('acme', 'Acme');
    await old.close();
    await insertOldUser(path, 'acme', 'usr_bob', 'bob', 'viewer');
    const bob = { id: 'usr_bob' };
    assert.deepEqual(await appliedVersions(path), [1, 2, 3]);

    const store = await openDuckDbStore({ path });
    try {
      const user = await store.users.get('acme', bob.id);
      assert.deepEqual(user?.roles, ['viewer']);
      assert.deepEqual(user?.groups, []);
      assert.deepEqual(await store.groups.list('acme'), []);
      const group = await store.groups.create('acme', { name: 'ops', description: '', members: [bob.id] });
      assert.deepEqual(group.members, [bob.id]);
      assert.deepEqual((await store.users.get('acme', bob.id))?.groups, ['ops']);
    } finally {
      await store.close();
    }
    assert.deepEqual(await appliedVersions(path), [1, 2, 3, 4, 5, 6]);
  });

  test('a database from a newer coordinator is refused', async () => {
    const path = join(dir, 'newer.duckdb');
    const future = [...MIGRATIONS, { version: 999, name: 'from the future', statements: ['SELECT 1'] }];
    await (await openDuckDbStore({ path, migrations: future })).close();
    await assert.rejects(openDuckDbStore({ path }), /newer than this coordinator/);
  });

  test('a failing migration leaves nothing of itself behind', async () => {
    const path = join(dir, 'failing.duckdb');
    const broken = [
      ...MIGRATIONS,
      { version: 100, name: 'half', statements: ['CREATE TABLE half (x INTEGER)', 'SELECT * FROM missing'] },
    ];
    await assert.rejects(openDuckDbStore({ path, migrations: broken }));
    assert.deepEqual(
      await appliedVersions(path),
      MIGRATIONS.map((m) => m.version),
    );
    const db = await StoreDatabase.open({ path, memoryLimit: '64MB' });
    const tables = await db.read((sql) =>
      sql.all(`SELECT table_name FROM duckdb_tables() WHERE table_name = 'half'`),
    );
    await db.close();
    assert.deepEqual(tables, []);
  });
});
