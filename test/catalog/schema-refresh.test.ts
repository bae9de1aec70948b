// Schema freshness and source health: a file added under a files source is
// a new table once the source is refreshed (its version goes up, and only
// then), and each serving edge reports whether it reaches the source.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TributaryError } from '@tributary/core';
import { Cluster } from '../support/cluster.js';
import { signToken } from '../support/jwt.js';

let cluster: Cluster;
let dir: string;
let admin: string;

async function call(path: string, init: RequestInit & { json?: unknown } = {}) {
  const response = await cluster.http(path, {
    ...init,
    headers: { authorization: `Bearer ${admin}`, ...(init.headers as Record<string, string>) },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-refresh-'));
  writeFileSync(join(dir, 'a.csv'), 'id,name\n1,one\n');
  cluster = await Cluster.start({
    edges: [{ name: 'edge-1', sources: [{ name: 'lake', type: 'files', path: dir }] }],
  });
  admin = await signToken(cluster, { sub: 'ada', roles: ['admin'] });
});

after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('schema refresh and source health', () => {
  test('a new file is a new table after a refresh, and the version changes only with the schema', async () => {
    await assert.rejects(
      cluster.client().query('SELECT * FROM lake.main.b').toArray(),
      (error: TributaryError) => {
        assert.match(error.code, /NOT_FOUND|INVALID_ARGUMENT/);
        return true;
      },
    );
    writeFileSync(join(dir, 'b.csv'), 'x\n41\n42\n');
    const refreshed = await call('/v1/sources/lake/refresh', { method: 'POST', json: { table: 'main.b' } });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal(refreshed.body.changed, true);
    assert.equal(Number(refreshed.body.version), 2);
    assert.deepEqual(refreshed.body.edges, ['edge-1']);
    assert.deepEqual(refreshed.body.added_tables, ['main.b']);
    assert.deepEqual(refreshed.body.dropped_tables, []);
    const rows = await cluster.client().query('SELECT x FROM lake.main.b ORDER BY x').toArray();
    assert.deepEqual(
      rows.map((r) => Number(r.x)),
      [41, 42],
    );
    const again = await call('/v1/sources/lake/refresh', { method: 'POST' });
    assert.equal(again.body.changed, false);
    assert.equal(Number(again.body.version), 2);
  });

  test('a table refresh takes in that table alone and names what changed', async () => {
    writeFileSync(join(dir, 'c.csv'), 'y\n1\n');
    writeFileSync(join(dir, 'a.csv'), 'id,name,extra\n1,one,x\n');
    const one = await call('/v1/sources/lake/refresh', { method: 'POST', json: { table: 'c' } });
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assert.deepEqual([one.body.added_tables, one.body.changed_tables], [['main.c'], []]);
    assert.equal(Number(one.body.version), 3);
    // a.csv changed too, but only c was rediscovered: a keeps its old columns until it is refreshed.
    const columns = async () =>
      (await cluster.client().query('SELECT * FROM lake.main.a').toArray()).map((r) => Object.keys(r));
    assert.deepEqual(await columns(), [['id', 'name']]);
    const a = await call('/v1/sources/lake/refresh', { method: 'POST', json: { table: 'main.a' } });
    assert.deepEqual([a.body.added_tables, a.body.changed_tables], [[], ['main.a']]);
    assert.deepEqual(await columns(), [['id', 'name', 'extra']]);

    rmSync(join(dir, 'c.csv'));
    const gone = await call('/v1/sources/lake/refresh', { method: 'POST', json: { table: 'main.c' } });
    assert.equal(gone.status, 200, JSON.stringify(gone.body));
    assert.deepEqual(gone.body.dropped_tables, ['main.c']);
    assert.equal(Number(gone.body.version), 5);
    const bad = await call('/v1/sources/lake/refresh', { method: 'POST', json: { table: 'a.b.c' } });
    assert.equal(bad.status, 400);
  });

  test('refresh names unknown sources and tables, and needs the admin role', async () => {
    assert.equal((await call('/v1/sources/nowhere/refresh', { method: 'POST' })).status, 404);
    assert.equal(
      (await call('/v1/sources/lake/refresh', { method: 'POST', json: { table: 'main.zz' } })).status,
      404,
    );
    const analyst = await cluster.http('/v1/sources/lake/refresh', { method: 'POST' });
    assert.equal(analyst.status, 403);
  });

  test('health reports each serving edge’s check of the source', async () => {
    const healthy = await call('/v1/sources/lake/health');
    assert.equal(healthy.status, 200);
    assert.equal(healthy.body.reachable, true);
    const [edge] = healthy.body.edges as { edge: string; reachable: boolean; latency_ms: number }[];
    assert.equal(edge?.edge, 'edge-1');
    assert.equal(edge?.reachable, true);
    assert.ok(Number(edge?.latency_ms) >= 0);

    rmSync(dir, { recursive: true, force: true });
    const gone = await call('/v1/sources/lake/health');
    assert.equal(gone.body.reachable, false);
    const [down] = gone.body.edges as { reachable: boolean; error: string }[];
    assert.equal(down?.reachable, false);
    assert.match(String(down?.error), /ENOENT|no such file/);
  });
});
