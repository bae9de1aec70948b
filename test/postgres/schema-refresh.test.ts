// Schema refresh of PostgreSQL sources against real PostgreSQL servers: new,
// dropped and changed tables appear after a refresh (of the source, or of
// one table), cached results of the source stop matching, and an edge whose
// PostgreSQL is down at start-up starts anyway, reports the source
// unreachable, serves its other sources, and discovers the PostgreSQL source
// once it runs (on its own retries, or on a refresh).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../support/assertions.js';
import { Cluster } from '../support/cluster.js';
import { signToken } from '../support/jwt.js';
import { PostgresServer } from '../support/postgres.js';

const LATE_PASSWORD = 'late-Secret-5150';

let shop: PostgresServer;
let late: PostgresServer | undefined;
let latePort: number;
let cluster: Cluster;
let dir: string;
let admin: string;

function postgresSource(name: string, server: { host: string; port: number }, database: string) {
  return {
    name,
    type: 'postgres',
    host: server.host,
    port: server.port,
    database,
    user: 'tributary_admin',
    password_env: name === 'shop' ? 'SHOP_PG_PASSWORD' : 'LATE_PG_PASSWORD',
  };
}

async function call(path: string, init: RequestInit & { json?: unknown } = {}) {
  const response = await cluster.http(path, {
    ...init,
    headers: { authorization: `Bearer ${admin}`, ...(init.headers as Record<string, string>) },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

interface QueryBody {
  data?: Record<string, unknown>[];
  metadata?: { from_cache: boolean };
  error?: { code: string; message: string };
}

async function query(sql: string): Promise<{ status: number; body: QueryBody }> {
  const response = await cluster.http('/v1/query', { method: 'POST', json: { sql } });
  return { status: response.status, body: (await response.json()) as QueryBody };
}

const refresh = (source: string, table?: string) =>
  call(`/v1/sources/${source}/refresh`, { method: 'POST', json: table ? { table } : {} });

before(async () => {
  shop = await PostgresServer.start();
  await shop.query('CREATE DATABASE shop');
  for (const sql of [
    'CREATE TABLE public.orders (id integer, amount numeric(12,2))',
    'INSERT INTO public.orders VALUES (1, 10.5), (2, 20)',
    'CREATE TABLE public.old (id integer)',
  ])
    await shop.query(sql, [], 'shop');
  latePort = await PostgresServer.freePort();
  dir = mkdtempSync(join(tmpdir(), 'tributary-pg-refresh-'));
  writeFileSync(join(dir, 'notes.csv'), 'id,note\n1,hello\n');
  cluster = await Cluster.start({
    edges: [{ name: 'edge-pg', sources: [postgresSource('shop', shop, 'shop')] }],
    policies: {
      grants: ['shop', 'lake', 'late', 'later'].map((source) => ({
        id: `analysts-${source}`,
        effect: 'allow',
        to: { role: 'analyst' },
        on: { source },
      })),
    },
    coordinator: { result_cache: { enabled: true, ttl_ms: 60_000 } },
    env: { SHOP_PG_PASSWORD: shop.password, LATE_PG_PASSWORD: LATE_PASSWORD },
  });
  admin = await signToken(cluster, { sub: 'ada', roles: ['admin'] });
});

after(async () => {
  await cluster?.stop();
  await shop?.stop();
  await late?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('PostgreSQL schema refresh', () => {
  test('new, dropped and changed tables appear after a refresh, and cached results stop matching', async () => {
    const count = 'SELECT count(*) AS n FROM shop.public.orders';
    assert.equal((await query(count)).body.metadata?.from_cache, false);
    const cached = await query(count);
    assert.equal(cached.body.metadata?.from_cache, true);

    await shop.query('CREATE TABLE public.items (sku text NOT NULL, price double precision)', [], 'shop');
    await shop.query("INSERT INTO public.items VALUES ('a-1', 2.5)", [], 'shop');
    await shop.query('ALTER TABLE public.orders ADD COLUMN note text', [], 'shop');
    await shop.query("INSERT INTO public.orders VALUES (3, 1, 'new')", [], 'shop');
    await shop.query('DROP TABLE public.old', [], 'shop');
    // Until refreshed, the catalog still has the old shape.
    assert.equal((await query('SELECT sku FROM shop.public.items')).body.error?.code, 'NOT_FOUND');

    const refreshed = await refresh('shop');
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal(refreshed.body.changed, true);
    assert.equal(Number(refreshed.body.version), 2);
    assert.deepEqual(refreshed.body.added_tables, ['public.items']);
    assert.deepEqual(refreshed.body.dropped_tables, ['public.old']);
    assert.deepEqual(refreshed.body.changed_tables, ['public.orders']);

    const items = await query('SELECT sku, price FROM shop.public.items');
    assert.equal(items.status, 200, JSON.stringify(items.body));
    assert.deepEqual(items.body.data, [{ sku: 'a-1', price: 2.5 }]);
    const notes = await query('SELECT note FROM shop.public.orders WHERE id = 3');
    assert.deepEqual(notes.body.data, [{ note: 'new' }]);
    assert.equal((await query('SELECT * FROM shop.public.old')).body.error?.code, 'NOT_FOUND');
    const recounted = await query(count);
    assert.equal(recounted.body.metadata?.from_cache, false);
    assert.equal(Number(recounted.body.data?.[0]?.n), 3);

    const again = await refresh('shop');
    assert.equal(again.body.changed, false);
    assert.equal(Number(again.body.version), 2);
  });

  test('a table refresh rediscovers that table alone', async () => {
    await shop.query('ALTER TABLE public.items ADD COLUMN stock integer', [], 'shop');
    await shop.query('CREATE TABLE public.other (id integer)', [], 'shop');
    const one = await refresh('shop', 'public.items');
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assert.deepEqual(
      [one.body.added_tables, one.body.dropped_tables, one.body.changed_tables],
      [[], [], ['public.items']],
    );
    assert.equal(Number(one.body.version), 3);
    assert.equal((await query('SELECT stock FROM shop.public.items')).status, 200);
    // Not rediscovered yet: `other` was not named.
    assert.equal((await query('SELECT id FROM shop.public.other')).body.error?.code, 'NOT_FOUND');

    const other = await refresh('shop', 'OTHER');
    assert.deepEqual(other.body.added_tables, ['public.other']);
    assert.equal((await query('SELECT id FROM shop.public.other')).status, 200);

    await shop.query('DROP TABLE public.other', [], 'shop');
    const dropped = await refresh('shop', 'public.other');
    assert.deepEqual(dropped.body.dropped_tables, ['public.other']);
    assert.equal((await refresh('shop', 'public.nowhere')).status, 404);
  });

  test('an edge whose PostgreSQL is down starts, reports it, serves the rest, and discovers it later', async () => {
    const retrying = { discovery_retry: { initial_ms: 200, max_ms: 1_000 } };
    // `later` retries only every ten minutes: a refresh is what discovers it.
    const patient = { discovery_retry: { initial_ms: 600_000, max_ms: 600_000 } };
    const down = { host: '127.0.0.1', port: latePort };
    await cluster.startEdge({
      name: 'edge-late',
      sources: [{ name: 'lake', type: 'files', path: dir }, postgresSource('late', down, 'late')],
      settings: retrying,
    });
    await cluster.startEdge({
      name: 'edge-later',
      sources: [postgresSource('later', down, 'late')],
      settings: patient,
    });

    const health = await call('/v1/sources/late/health');
    assert.equal(health.status, 200, JSON.stringify(health.body));
    assert.equal(health.body.reachable, false);
    const [edge] = health.body.edges as { edge: string; reachable: boolean; error: string }[];
    assert.equal(edge?.edge, 'edge-late');
    assert.equal(edge?.reachable, false);
    assert.match(String(edge?.error), /postgres source late is unreachable/);
    const ready = await fetch(`${cluster.edgeHttpUrls.get('edge-late')}/health/ready`);
    assert.equal(ready.status, 503);
    const checks = ((await ready.json()) as { checks: Record<string, { ok: boolean; detail: string }> })
      .checks;
    assert.equal(checks.sources?.ok, false);
    assert.match(String(checks.sources?.detail), /late: postgres source late is unreachable/);

    const lake = await query('SELECT note FROM lake.main.notes');
    assert.deepEqual(lake.body.data, [{ note: 'hello' }]);
    const unavailable = await query('SELECT * FROM late.public.t');
    assert.equal(unavailable.status, 503, JSON.stringify(unavailable.body));
    assert.equal(unavailable.body.error?.code, 'UNAVAILABLE');
    assert.match(String(unavailable.body.error?.message), /source late is unreachable.*edge edge-late/);
    const notYet = await refresh('later');
    assert.equal(notYet.status, 503);
    assert.match(JSON.stringify(notYet.body), /unreachable/);

    late = await PostgresServer.start({ port: latePort, password: LATE_PASSWORD });
    // The sources' database appears at once with its table (copied from a
    // template), so a retry can never discover it half made.
    await late.query('CREATE TABLE public.t (id integer, label text)', [], 'template1');
    await late.query("INSERT INTO public.t VALUES (7, 'seven')", [], 'template1');
    await late.query('CREATE DATABASE late');

    // edge-late retries on its own and registers again with the new tables.
    const rows = await eventually(
      async () => {
        const answer = await query('SELECT id, label FROM late.public.t');
        return answer.status === 200 ? answer.body.data : undefined;
      },
      30_000,
      'late.public.t served',
      200,
    );
    assert.deepEqual(rows, [{ id: 7, label: 'seven' }]);
    const healthy = await call('/v1/sources/late/health');
    assert.equal(healthy.body.reachable, true);
    assert.equal((await fetch(`${cluster.edgeHttpUrls.get('edge-late')}/health/ready`)).status, 200);

    // edge-later waits: a refresh discovers it.
    assert.equal((await query('SELECT id FROM later.public.t')).body.error?.code, 'UNAVAILABLE');
    const discovered = await refresh('later');
    assert.equal(discovered.status, 200, JSON.stringify(discovered.body));
    assert.deepEqual(discovered.body.added_tables, ['public.t']);
    assert.deepEqual((await query('SELECT label FROM later.public.t')).body.data, [{ label: 'seven' }]);
  });
});
