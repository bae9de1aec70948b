// Replicas: two edges serve the same sources. Queries spread over both; an
// edge that dies before the result begins is replaced by the other (and the
// audit log shows both tries); an edge that dies mid-result makes the client
// see UNAVAILABLE or a cut connection, never a short result that looks
// complete; a stopped (SIGSTOP) edge is routed around once marked down; a
// replica with different tables is refused; a coordinator that restarts gets
// its edges back within a heartbeat; graceful shutdowns let running results
// finish. Liveness is given generous time; nothing asserts speed.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { status } from '@grpc/grpc-js';
import type { ServiceProcess } from '@tributary/cli';
import { ERROR_CODE_KEY } from '@tributary/core';
import { eventually, expectHttpError, nextLogLine } from '../support/assertions.js';
import { Cluster, type EdgeSpec } from '../support/cluster.js';
import { createFixtures, type Fixtures } from '../support/fixtures.js';
import { finishStream, metadataOf, rawQueryService } from '../support/grpc.js';
import { signToken } from '../support/jwt.js';

const HEARTBEAT_MS = 300;
/** Long, so an edge is seen marked down well before it would be dropped. */
const EXPIRY_MS = 8_000;
const EDGES = ['edge-a', 'edge-b'] as const;
type EdgeName = (typeof EDGES)[number];

const COUNT_SQL = 'SELECT count(*) AS n FROM lake.main.customers';
/** Seconds of DuckDB work before its one row: 7000² pairs, a seventh of which match. */
const SLOW_SQL = 'SELECT count(*) AS n FROM range(7000) a, range(7000) b WHERE (a.range + b.range) % 7 = 0';
const SLOW_ANSWER = 7_000_000;
/** Rows as fast as DuckDB makes them, for far longer than any test waits. */
const ENDLESS_SQL = 'SELECT range AS n FROM range(1000000000000)';

let fixtures: Fixtures;
let cluster: Cluster;
let specs: Record<EdgeName, EdgeSpec>;
let adminToken: string;

before(async () => {
  fixtures = await createFixtures();
  specs = {
    'edge-a': { name: 'edge-a', sources: fixtures.sources },
    'edge-b': { name: 'edge-b', sources: fixtures.sources },
  };
  cluster = await Cluster.start({
    heartbeatIntervalMs: HEARTBEAT_MS,
    expiryMs: EXPIRY_MS,
    edges: Object.values(specs),
    // Debug logs name the edge each query started on.
    env: { TRIBUTARY_LOG_LEVEL: 'debug' },
    coordinator: { shutdown_grace_ms: 30_000 },
  });
  adminToken = await signToken(cluster, { sub: 'ada', roles: ['admin'] });
});

after(async () => {
  await cluster?.stop();
  fixtures?.cleanup();
});

const edgeProcess = (name: EdgeName): ServiceProcess => {
  const edge = cluster.edges.get(name);
  assert.ok(edge, name);
  return edge;
};

const other = (name: EdgeName): EdgeName => (name === 'edge-a' ? 'edge-b' : 'edge-a');

/** Resolves with the edge that starts running the request. */
function servedBy(requestId: string, timeoutMs = 15_000): Promise<EdgeName> {
  return Promise.any(
    EDGES.map((name) =>
      nextLogLine(
        edgeProcess(name),
        (line) => line.msg === 'query started' && line.requestId === requestId,
        timeoutMs,
      ).then(() => name),
    ),
  );
}

async function killEdge(name: EdgeName): Promise<void> {
  const edge = edgeProcess(name);
  const exited = new Promise<void>((resolve) => edge.child.once('exit', () => resolve()));
  edge.kill();
  await exited;
}

const running = (edge: ServiceProcess | undefined) =>
  edge !== undefined && edge.child.exitCode === null && edge.child.signalCode === null;

/** Restarts whatever edge is not running and waits until the coordinator routes to both again. */
async function ensureBothUp(): Promise<void> {
  for (const name of EDGES) {
    if (!running(cluster.edges.get(name))) await cluster.startEdge(specs[name]);
  }
  await eventually(
    async () => {
      const sources = await cluster.client().listSources();
      const lake = sources.find((s) => s.name === 'lake');
      return lake?.healthy === true && [...lake.edges].sort().join(',') === EDGES.join(',');
    },
    20_000,
    'both edges serving lake',
  );
}

let sequence = 0;
const newRequestId = (what: string) => `e2e-${what}-${Date.now()}-${++sequence}`;

function httpQuery(sql: string, requestId: string, accept = 'application/json'): Promise<Response> {
  return cluster.http('/v1/query', {
    method: 'POST',
    json: { sql },
    headers: { 'x-api-key': cluster.apiKey, accept, 'x-request-id': requestId },
  });
}

interface JsonResult {
  data: Record<string, unknown>[];
  metadata: { edges: string[]; row_count: number };
}

async function jsonQuery(sql: string, requestId = newRequestId('json')): Promise<JsonResult> {
  const response = await httpQuery(sql, requestId);
  const text = await response.text();
  assert.equal(response.status, 200, text.slice(0, 300));
  return JSON.parse(text) as JsonResult;
}

interface AuditQueryRecord {
  request_id: string;
  query?: { decision: string; error_code: string; attempts: { edge: string; error_code: string }[] };
}

async function auditOf(requestId: string): Promise<AuditQueryRecord> {
  return eventually(
    async () => {
      const response = await cluster.http('/v1/audit?kind=query&page_size=100', {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { records: AuditQueryRecord[] };
      return body.records.find((r) => r.request_id === requestId);
    },
    10_000,
    `the audit record of ${requestId}`,
  );
}

describe('replicas', () => {
  test('both edges serve both sources, and equal load alternates between them', async () => {
    const sources = await cluster.client().listSources();
    for (const source of sources) assert.deepEqual([...source.edges].sort(), [...EDGES], source.name);
    const served = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const result = await jsonQuery(COUNT_SQL);
      assert.deepEqual(result.data, [{ n: 7 }]);
      served.add(String(result.metadata.edges[0]));
    }
    assert.deepEqual([...served].sort(), [...EDGES]);
  });

  test('an edge whose tables for a source differ is refused as a replica with CONFLICT', async () => {
    const dir = join(cluster.dir, 'odd-lake');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'customers.csv'), 'id,nickname\n1,ada\n');
    const spec: EdgeSpec = { name: 'edge-odd', sources: [{ name: 'lake', type: 'files', path: dir }] };
    const odd = await cluster.startEdge(spec, { registered: false });
    try {
      const refused = await odd.waitFor((line) => line.msg === 'registration failed', 20_000);
      assert.match(String(refused.err), /edge edge-odd cannot serve source lake/);
      assert.match(String(refused.err), /same tables and columns/);
      const lake = (await cluster.client().listSources()).find((s) => s.name === 'lake');
      assert.deepEqual([...(lake?.edges ?? [])].sort(), [...EDGES]);
    } finally {
      await odd.stop();
      cluster.edges.delete('edge-odd');
    }
  });

  test('an edge killed before the result begins: the query succeeds on the replica; the audit shows both tries', async () => {
    try {
      const requestId = newRequestId('retry');
      const first = servedBy(requestId);
      const response = httpQuery(SLOW_SQL, requestId);
      const victim = await first;
      await killEdge(victim);
      const result = await response;
      const text = await result.text();
      assert.equal(result.status, 200, text.slice(0, 300));
      const body = JSON.parse(text) as JsonResult;
      assert.deepEqual(body.data, [{ n: SLOW_ANSWER }]);
      assert.deepEqual(body.metadata.edges, [other(victim)]);
      const record = await auditOf(requestId);
      assert.equal(record.query?.decision, 'allowed');
      assert.deepEqual(
        record.query?.attempts.map((a) => [a.edge, a.error_code]),
        [
          [victim, 'UNAVAILABLE'],
          [other(victim), ''],
        ],
      );
    } finally {
      await ensureBothUp();
    }
  });

  test('kill -9 mid-stream over gRPC: the call ends UNAVAILABLE without the closing metadata', async () => {
    const stub = rawQueryService(cluster.grpcAddress);
    try {
      const requestId = newRequestId('grpc-cut');
      const started = servedBy(requestId);
      const call = stub.ExecuteQuery(
        { sql: ENDLESS_SQL, params: [], limit: 0 },
        metadataOf({ 'x-api-key': cluster.apiKey, 'x-request-id': requestId }),
        { deadline: Date.now() + 60_000 },
      );
      const outcome = finishStream(call);
      const victim = await started;
      const rowsFlowing = new Promise<void>((resolve) =>
        call.on('data', (chunk: { arrow?: { row_count?: string } }) => {
          if (Number(chunk.arrow?.row_count ?? 0) > 0) resolve();
        }),
      );
      await rowsFlowing;
      await killEdge(victim);
      const { code, trailers, messages } = await outcome;
      assert.equal(code, status.UNAVAILABLE);
      assert.equal(trailers.get(ERROR_CODE_KEY)[0], 'UNAVAILABLE');
      const chunks = messages as { metadata?: unknown; arrow?: unknown }[];
      assert.ok(
        chunks.some((c) => c.arrow),
        'rows arrived before the cut',
      );
      assert.ok(
        chunks.every((c) => !c.metadata),
        'no metadata chunk: the result does not claim to be complete',
      );
    } finally {
      stub.close();
      await ensureBothUp();
    }
  });

  for (const accept of ['application/x-ndjson', 'application/vnd.apache.arrow.stream', 'application/json']) {
    test(`kill -9 mid-stream over HTTP (${accept}): the connection is cut, the body never ends normally`, async () => {
      try {
        const requestId = newRequestId('http-cut');
        const started = servedBy(requestId);
        const response = await httpQuery(ENDLESS_SQL, requestId, accept);
        assert.equal(response.status, 200);
        const victim = await started;
        const reader = response.body?.getReader();
        assert.ok(reader);
        const first = await reader.read();
        assert.equal(first.done, false);
        await killEdge(victim);
        let ended: 'done' | 'error' = 'done';
        try {
          for (;;) {
            const { done } = await reader.read();
            if (done) break;
          }
        } catch {
          ended = 'error';
        }
        assert.equal(ended, 'error', 'the body must fail, not end as if complete');
      } finally {
        await ensureBothUp();
      }
    });
  }

  test('a stopped edge (SIGSTOP) is marked down and queries go to the replica; SIGCONT brings it back', async () => {
    const pid = edgeProcess('edge-a').child.pid;
    assert.ok(pid);
    const markedDown = nextLogLine(
      cluster.coordinator,
      (line) => line.msg === 'edge marked down' && line.edge === 'edge-a',
      EXPIRY_MS,
    );
    process.kill(pid, 'SIGSTOP');
    try {
      await markedDown;
      for (let i = 0; i < 4; i++) {
        const result = await jsonQuery(COUNT_SQL);
        assert.deepEqual(result.data, [{ n: 7 }]);
        assert.deepEqual(result.metadata.edges, ['edge-b']);
      }
      const backUp = nextLogLine(
        cluster.coordinator,
        (line) => line.msg === 'edge back up' && line.edge === 'edge-a',
        EXPIRY_MS,
      );
      process.kill(pid, 'SIGCONT');
      await backUp;
      await eventually(
        async () => (await jsonQuery(COUNT_SQL)).metadata.edges[0] === 'edge-a',
        10_000,
        'edge-a serving again',
      );
    } finally {
      process.kill(pid, 'SIGCONT');
      await ensureBothUp();
    }
  });

  test('SIGTERM to an edge: its running result finishes, new queries go to the replica', async () => {
    try {
      const requestId = newRequestId('edge-drain');
      const started = servedBy(requestId);
      const response = httpQuery(SLOW_SQL, requestId);
      const draining = await started;
      const edge = edgeProcess(draining);
      const exited = new Promise<void>((resolve) => edge.child.once('exit', () => resolve()));
      const deregistered = nextLogLine(
        cluster.coordinator,
        (line) => line.msg === 'edge removed' && line.edge === draining && line.reason === 'deregistered',
      );
      edge.child.kill('SIGTERM');
      await deregistered;
      const meanwhile = await jsonQuery(COUNT_SQL);
      assert.deepEqual(meanwhile.metadata.edges, [other(draining)]);
      const result = await response;
      const text = await result.text();
      assert.equal(result.status, 200, text.slice(0, 300));
      const body = JSON.parse(text) as JsonResult;
      assert.deepEqual(body.data, [{ n: SLOW_ANSWER }]);
      assert.deepEqual(body.metadata.edges, [draining]);
      await exited;
      assert.equal(edge.child.exitCode, 0);
    } finally {
      await ensureBothUp();
    }
  });
});

describe('coordinator restarts', () => {
  test('a coordinator that crashes while an edge is busy gets both edges back within a heartbeat of starting', async () => {
    const requestId = newRequestId('busy');
    const started = servedBy(requestId);
    const response = await httpQuery(ENDLESS_SQL, requestId, 'application/x-ndjson');
    const reader = response.body?.getReader();
    assert.ok(reader);
    await reader.read();
    await started;
    await cluster.restartCoordinator({ crash: true });
    await reader.cancel().catch(() => undefined);
    const reRegistered = EDGES.map((name) =>
      cluster.coordinator.waitFor((line) => line.msg === 'edge registered' && line.edge === name, 20_000),
    );
    await Promise.all(reRegistered);
    const listening = cluster.coordinator.recentLogs().find((line) => line.event === 'listening');
    assert.ok(listening);
    for (const line of await Promise.all(reRegistered)) {
      const ms = Date.parse(String(line.time)) - Date.parse(String(listening.time));
      // One heartbeat interval, plus the edges' reconnect backoff (at most a second) and slack for a busy machine.
      assert.ok(
        ms < HEARTBEAT_MS + 1_000 + 2_000,
        `${line.edge} came back ${ms} ms after the coordinator started`,
      );
    }
    await ensureBothUp();
    assert.deepEqual((await jsonQuery(COUNT_SQL)).data, [{ n: 7 }]);
  });

  test('SIGTERM to the coordinator: a running result finishes while new queries get UNAVAILABLE', async () => {
    const requestId = newRequestId('drain');
    const started = servedBy(requestId);
    const response = httpQuery(SLOW_SQL, requestId);
    await started;
    const draining = nextLogLine(cluster.coordinator, (line) => line.msg === 'coordinator draining');
    const exited = new Promise<void>((resolve) => cluster.coordinator.child.once('exit', () => resolve()));
    cluster.coordinator.child.kill('SIGTERM');
    await draining;
    const refused = await httpQuery(COUNT_SQL, newRequestId('refused'));
    const error = await expectHttpError(refused, 503, 'UNAVAILABLE');
    assert.match(error.message, /shutting down/);
    const result = await response;
    const text = await result.text();
    assert.equal(result.status, 200, text.slice(0, 300));
    assert.deepEqual((JSON.parse(text) as JsonResult).data, [{ n: SLOW_ANSWER }]);
    await exited;
    assert.equal(cluster.coordinator.child.exitCode, 0);
    await cluster.restartCoordinator();
    await ensureBothUp();
  });
});
