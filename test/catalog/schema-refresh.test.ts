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
    const rows = await cluster.client().query('SELECT x FROM lake.main.b ORDER BY x').toArray();
    assert.deepEqual(
      rows.map((r) => Number(r.x)),
      [41, 42],
    );
    const again = await call('/v1/sources/lake/refresh', { method: 'POST' });
    assert.equal(again.body.changed, false);
    assert.equal(Number(again.body.version), 2);
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
    assert.equal(healthy.body.healthy, true);
    const [edge] = healthy.body.edges as { edge: string; healthy: boolean; latency_ms: number }[];
    assert.equal(edge?.edge, 'edge-1');
    assert.equal(edge?.healthy, true);
    assert.ok(Number(edge?.latency_ms) >= 0);

    rmSync(dir, { recursive: true, force: true });
    const gone = await call('/v1/sources/lake/health');
    assert.equal(gone.body.healthy, false);
    const [down] = gone.body.edges as { healthy: boolean; message: string }[];
    assert.equal(down?.healthy, false);
    assert.match(String(down?.message), /ENOENT|no such file/);
  });
});
