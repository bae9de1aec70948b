// Edges coming and going: a crashed, stopped, expired or hung edge makes
// queries for its sources fail fast with UNAVAILABLE (never hang), the
// catalog stops offering its source after the heartbeat expiry (tables gone,
// or the source listed as unhealthy with no edge), readiness reflects it, and
// a restarted edge brings everything back. Two edges, one source each.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TributaryClient } from '@tributary/client';
import type { ErrorCode } from '@tributary/core';
import {
  eventually,
  expectGrpcError,
  expectHttpError,
  httpJson,
  nextLogLine,
  timed,
} from '../support/assertions.js';
import { Cluster, type EdgeSpec } from '../support/cluster.js';
import { createFixtures, type Fixtures } from '../support/fixtures.js';

const HEARTBEAT_MS = 300; // expiry is three intervals (Cluster)
const FAST_MS = 10_000;
/** Generous for an edge whose heartbeat expired after 0.9 s. */
const HUNG_LIMIT_MS = 6_000;
const LAKE_SQL = 'SELECT count(*) AS n FROM lake.main.customers';
const WAREHOUSE_SQL = 'SELECT count(*) AS n FROM warehouse.main.products';

let fixtures: Fixtures;
let cluster: Cluster;
let client: TributaryClient;
let specs: Record<'edge-lake' | 'edge-wh', EdgeSpec>;

before(async () => {
  fixtures = await createFixtures();
  const [lake, warehouse] = fixtures.sources as [Record<string, unknown>, Record<string, unknown>];
  specs = {
    'edge-lake': { name: 'edge-lake', sources: [lake] },
    'edge-wh': { name: 'edge-wh', sources: [warehouse] },
  };
  cluster = await Cluster.start({ heartbeatIntervalMs: HEARTBEAT_MS, edges: Object.values(specs) });
  // These tests time the coordinator's own fail-fast, so the SDK's retries are off.
  client = cluster.client(undefined, { retry: false });
});

after(async () => {
  await cluster?.stop();
  fixtures?.cleanup();
});

type EdgeName = keyof typeof specs;

const edgeProcess = (name: EdgeName) => {
  const edge = cluster.edges.get(name);
  assert.ok(edge, name);
  return edge;
};

async function tableNames(): Promise<string[]> {
  const page = await client.listTables();
  return page.tables.map((t) => `${t.ref?.source}.${t.ref?.schema}.${t.ref?.table}`);
}

const sourceTables = (source: string) => fixtures.tables.filter((t) => t.startsWith(`${source}.`));

/** The source is served: listed healthy, by at least one edge, with all its tables. */
async function assertServed(source: string): Promise<void> {
  const info = (await client.listSources()).find((s) => s.name === source);
  assert.ok(info, `${source} is listed`);
  assert.equal(info.healthy, true, `${source} is healthy`);
  assert.ok(info.edges.length > 0, `${source} has an edge`);
  const names = (await tableNames()).filter((t) => t.startsWith(`${source}.`));
  assert.deepEqual(names.sort(), sourceTables(source), `${source}'s tables are listed`);
}

/**
 * The catalog no longer offers the source: it is gone together with its
 * tables, or it is still listed — with its last known tables — but as
 * unhealthy and served by no edge.
 */
async function assertNotServed(source: string): Promise<void> {
  const info = (await client.listSources()).find((s) => s.name === source);
  if (info) {
    assert.equal(info.healthy, false, `${source} is still listed as healthy`);
    assert.deepEqual(info.edges, [], `${source} is still listed with edges`);
  } else {
    const names = await tableNames();
    assert.ok(
      names.every((t) => !t.startsWith(`${source}.`)),
      `${source} is gone but its tables are listed`,
    );
  }
}

/** Restarts any edge that is not running and waits until both sources are fully served again. */
async function ensureAllUp(): Promise<void> {
  for (const name of Object.keys(specs) as EdgeName[]) {
    const edge = cluster.edges.get(name);
    if (!edge || edge.child.exitCode !== null || edge.child.signalCode !== null) {
      await cluster.startEdge(specs[name]);
    }
  }
  await eventually(
    async () => {
      await assertServed('lake');
      await assertServed('warehouse');
      return true;
    },
    15_000,
    'both sources served again',
  );
}

/** A query that must fail with `code`, and quickly. */
async function expectFastFailure(sql: string, code: ErrorCode): Promise<void> {
  const { ms } = await timed(() => expectGrpcError(client.query(sql).toArray(), code));
  assert.ok(ms < FAST_MS, `failed after ${Math.round(ms)} ms`);
}

async function readiness(): Promise<{ status: number; body: { status: string } }> {
  const response = await cluster.http('/health/ready', { headers: {} });
  return { status: response.status, body: (await response.json()) as { status: string } };
}

describe('edge lifecycle', () => {
  test('both edges serve their sources; ready; each source names its edge', async () => {
    assert.deepEqual(await client.query(LAKE_SQL).toArray(), [{ n: 7 }]);
    assert.deepEqual(await client.query(WAREHOUSE_SQL).toArray(), [{ n: 7 }]);
    const sources = await client.listSources();
    assert.deepEqual(
      sources.map((s) => [s.name, s.edges]),
      [
        ['lake', ['edge-lake']],
        ['warehouse', ['edge-wh']],
      ],
    );
    const ready = await readiness();
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'ready');
  });

  test('a query joining sources on different edges is split between them', async () => {
    const sql =
      'SELECT c.name AS customer, p.name AS product FROM lake.main.customers c JOIN warehouse.main.products p ON p.id = c.id ORDER BY c.id';
    const rows = await client.query(sql).toArray();
    assert.ok(rows.length > 0);
    const validation = await client.validate(sql);
    assert.equal(validation.plan?.mode, 'federated');
    assert.deepEqual(
      validation.plan?.fragments.map((f) => [f.table, f.edges[0]]),
      [
        ['lake.main.customers', 'edge-lake'],
        ['warehouse.main.products', 'edge-wh'],
      ],
    );
  });

  test('a crashed edge: the next query for its source fails fast with UNAVAILABLE; others still work', async () => {
    try {
      edgeProcess('edge-wh').kill();
      await new Promise<void>((resolve) => edgeProcess('edge-wh').child.once('exit', () => resolve()));
      await expectFastFailure(WAREHOUSE_SQL, 'UNAVAILABLE');
      assert.deepEqual(await client.query(LAKE_SQL).toArray(), [{ n: 7 }]);
      await eventually(
        async () => {
          await assertNotServed('warehouse');
          return true;
        },
        FAST_MS,
        'the catalog no longer offering the crashed edge’s source',
      );
      await assertServed('lake');
    } finally {
      await ensureAllUp();
    }
    assert.deepEqual(await client.query(WAREHOUSE_SQL).toArray(), [{ n: 7 }]);
  });

  test('edges that stop heartbeating expire: tables leave the catalog, readiness turns 503, restart restores', async () => {
    try {
      const expired = Object.keys(specs).map((name) =>
        nextLogLine(cluster.coordinator, (line) => line.edge === name && line.reason === 'heartbeat expired'),
      );
      for (const name of Object.keys(specs) as EdgeName[]) edgeProcess(name).kill();
      await Promise.all(expired);
      await assertNotServed('lake');
      await assertNotServed('warehouse');
      const ready = await readiness();
      assert.equal(ready.status, 503);
      assert.equal(ready.body.status, 'not_ready');
      await expectFastFailure('SELECT 1', 'UNAVAILABLE');
      await expectHttpError(
        await cluster.http('/v1/query', { method: 'POST', json: { sql: 'SELECT 1' } }),
        503,
        'UNAVAILABLE',
      );
    } finally {
      await ensureAllUp();
    }
    assert.equal((await readiness()).status, 200);
    assert.deepEqual(await client.query(LAKE_SQL).toArray(), [{ n: 7 }]);
    assert.deepEqual(await client.query(WAREHOUSE_SQL).toArray(), [{ n: 7 }]);
  });

  test('a query for a source whose edge expired is UNAVAILABLE (503), not NOT_FOUND', async () => {
    try {
      const expired = nextLogLine(
        cluster.coordinator,
        (line) => line.edge === 'edge-wh' && line.reason === 'heartbeat expired',
      );
      edgeProcess('edge-wh').kill();
      await expired;
      await expectFastFailure(WAREHOUSE_SQL, 'UNAVAILABLE');
      await expectHttpError(
        await cluster.http('/v1/query', { method: 'POST', json: { sql: WAREHOUSE_SQL } }),
        503,
        'UNAVAILABLE',
      );
    } finally {
      await ensureAllUp();
    }
  });

  test('a gracefully stopped edge deregisters at once', async () => {
    try {
      const removed = nextLogLine(
        cluster.coordinator,
        (line) => line.edge === 'edge-lake' && line.reason === 'deregistered',
      );
      await edgeProcess('edge-lake').stop();
      await removed;
      await assertNotServed('lake');
      await assertServed('warehouse');
      assert.deepEqual(await client.query(WAREHOUSE_SQL).toArray(), [{ n: 7 }]);
    } finally {
      await ensureAllUp();
    }
    assert.deepEqual(await client.query(LAKE_SQL).toArray(), [{ n: 7 }]);
  });

  test('a hung edge (SIGSTOP) fails fast with UNAVAILABLE instead of holding the query', async () => {
    const pid = edgeProcess('edge-wh').child.pid;
    assert.ok(pid);
    process.kill(pid, 'SIGSTOP');
    try {
      // The heartbeat expires within a second; give up on the query long after that.
      const giveUp = AbortSignal.timeout(HUNG_LIMIT_MS + 1_000);
      const { ms, result } = await timed(() => client.query(WAREHOUSE_SQL, { signal: giveUp }).toArray());
      assert.equal(result.status, 'rejected');
      assert.equal((result as PromiseRejectedResult).reason?.code, 'UNAVAILABLE');
      assert.ok(ms < HUNG_LIMIT_MS, `failed after ${Math.round(ms)} ms`);
    } finally {
      process.kill(pid, 'SIGCONT');
      await ensureAllUp();
    }
  });

  test('after all that, both sources answer and agree with HTTP', async () => {
    await ensureAllUp();
    for (const sql of [LAKE_SQL, WAREHOUSE_SQL]) {
      const viaGrpc = await client.query(sql).toArray();
      const viaHttp = await httpJson<{ data: unknown[] }>(cluster, '/v1/query', { sql });
      assert.deepEqual(viaHttp.data, viaGrpc);
    }
  });
});
