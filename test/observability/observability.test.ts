import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { generateSampleData } from '@tributary/cli';
import { Cluster } from '../support/cluster.js';
import { finishStream, metadataOf, rawQueryService } from '../support/grpc.js';
import { signToken } from '../support/jwt.js';
import { type MetricsScrape, scrape } from '../support/metrics.js';

// One coordinator and one edge, observed from outside as an operator would:
// - metrics: queries over HTTP and gRPC (allowed, refused by policy,
//   unauthenticated), with /metrics of both processes scraped before and
//   after; every counter moved by exactly what those requests account for;
// - tracing: a client's traceparent reaches every log line of its request,
//   at the coordinator and at the edge, and the audit record;
// - health: liveness, and readiness with its per-check breakdown.

const SCRAPE_TOKEN = 'scrape-token-0123456789abcdef';
const POLICIES = {
  grants: [
    { id: 'analysts-lake', effect: 'allow', to: { role: 'analyst' }, on: { source: 'lake' } },
    {
      id: 'no-ltv',
      effect: 'deny',
      to: { role: 'analyst' },
      on: { source: 'lake', schema: 'main', table: 'customers', columns: ['lifetime_value'] },
    },
  ],
};
const ALLOWED_SQL = 'SELECT region, count(*) AS customers FROM lake.main.customers GROUP BY region';
const REFUSED_SQL = 'SELECT lifetime_value FROM lake.main.customers';

interface ResultMetadata {
  query_id: string;
  row_count: number;
  bytes: number;
}

describe('observability', () => {
  let dataDir: string;
  let cluster: Cluster;
  let edgeUrl: string;
  const auth = { authorization: `Bearer ${SCRAPE_TOKEN}` };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tributary-metrics-'));
    const data = await generateSampleData({ dir: dataDir, scale: 0.02 });
    cluster = await Cluster.start({
      edges: [{ name: 'edge-1', sources: [{ name: 'lake', type: 'files', path: data.filesDir }] }],
      policies: POLICIES,
      coordinator: { metrics: { bearer_token: SCRAPE_TOKEN } },
    });
    edgeUrl = cluster.edgeHttpUrls.get('edge-1') as string;
  });
  after(async () => {
    await cluster?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function httpQuery(sql: string, headers?: Record<string, string>) {
    const response = await cluster.http('/v1/query', { method: 'POST', json: { sql }, headers });
    return { status: response.status, body: (await response.json()) as { metadata?: ResultMetadata } };
  }

  async function grpcQuery(
    sql: string,
    credentials: Record<string, string> = { 'x-api-key': cluster.apiKey },
  ) {
    const outcome = await finishStream(
      rawQueryService(cluster.grpcAddress).ExecuteQuery(
        { sql, params: [], limit: 0 },
        metadataOf(credentials),
      ),
    );
    const last = outcome.messages.at(-1) as { metadata?: { row_count: unknown; bytes: unknown } } | undefined;
    const metadata = last?.metadata
      ? { row_count: Number(last.metadata.row_count), bytes: Number(last.metadata.bytes) }
      : undefined;
    return { code: outcome.code, metadata };
  }

  test('the coordinator scrape needs the configured bearer token', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-0123456789' },
      { authorization: SCRAPE_TOKEN },
    ];
    for (const headers of attempts) {
      const response = await fetch(`${cluster.httpUrl}/metrics`, { headers });
      assert.equal(response.status, 401, JSON.stringify(headers));
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'UNAUTHENTICATED');
    }
    const scraped = await scrape(cluster.httpUrl, auth);
    for (const name of [
      'tributary_build_info',
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'tributary_queries_total',
      'tributary_query_duration_seconds',
      'tributary_result_cache_requests_total',
      'tributary_rate_limit_rejections_total',
      'tributary_audit_queue_depth',
    ]) {
      assert.ok(scraped.has(name), `${name} is exported`);
    }
    assert.equal(scraped.value('tributary_edge_healthy', { edge: 'edge-1', source: 'lake' }), 1);
    assert.equal(scraped.value('tributary_source_edges', { source: 'lake' }), 1);
  });

  test('queries on every path move the counters by exactly what they did', async () => {
    const coordinatorBefore = await scrape(cluster.httpUrl, auth);
    const edgeBefore = await scrape(edgeUrl);

    const httpOk = await httpQuery(ALLOWED_SQL);
    assert.equal(httpOk.status, 200);
    const grpcOk = await grpcQuery('SELECT customer_id FROM lake.main.customers LIMIT 10');
    assert.equal(grpcOk.code, status.OK);
    assert.equal((await httpQuery(REFUSED_SQL)).status, 403);
    assert.equal((await grpcQuery(REFUSED_SQL)).code, status.PERMISSION_DENIED);
    assert.equal(
      (await httpQuery(ALLOWED_SQL, { 'x-api-key': 'trb_live_not-a-key-0123456789' })).status,
      401,
    );
    assert.equal((await httpQuery(ALLOWED_SQL, {})).status, 401);
    assert.equal(
      (await grpcQuery(ALLOWED_SQL, { 'x-api-key': 'trb_live_not-a-key-0123456789' })).code,
      status.UNAUTHENTICATED,
    );

    const c = await scrape(cluster.httpUrl, auth);
    const e = await scrape(edgeUrl);
    const http = httpOk.body.metadata as ResultMetadata;
    const grpc = grpcOk.metadata as ResultMetadata;
    assert.equal(grpc.row_count, 10);
    const delta = (after: MetricsScrape, before: MetricsScrape, name: string, labels = {}) =>
      after.value(name, labels) - before.value(name, labels);
    const countDelta = (after: MetricsScrape, before: MetricsScrape, name: string, labels = {}) =>
      after.count(name, labels) - before.count(name, labels);
    const cb = coordinatorBefore;

    // Only queries that reached the query service count as queries; the three
    // unauthenticated requests count as auth failures.
    assert.deepEqual(
      {
        httpOk: delta(c, cb, 'tributary_queries_total', { protocol: 'http', status: 'OK' }),
        grpcOk: delta(c, cb, 'tributary_queries_total', { protocol: 'grpc', status: 'OK' }),
        httpRefused: delta(c, cb, 'tributary_queries_total', {
          protocol: 'http',
          status: 'QUERY_UNAUTHORIZED',
        }),
        grpcRefused: delta(c, cb, 'tributary_queries_total', {
          protocol: 'grpc',
          status: 'QUERY_UNAUTHORIZED',
        }),
        all: delta(c, cb, 'tributary_queries_total'),
        allowed: delta(c, cb, 'tributary_policy_decisions_total', { decision: 'allowed' }),
        refused: delta(c, cb, 'tributary_policy_decisions_total', { decision: 'refused' }),
        invalidKey: delta(c, cb, 'tributary_auth_failures_total', { reason: 'invalid_api_key' }),
        missing: delta(c, cb, 'tributary_auth_failures_total', { reason: 'missing_credentials' }),
        authFailures: delta(c, cb, 'tributary_auth_failures_total'),
        httpDurations: countDelta(c, cb, 'tributary_query_duration_seconds', { protocol: 'http' }),
        grpcDurations: countDelta(c, cb, 'tributary_query_duration_seconds', { protocol: 'grpc' }),
        httpFirstBatch: countDelta(c, cb, 'tributary_query_time_to_first_batch_seconds', {
          protocol: 'http',
        }),
        grpcFirstBatch: countDelta(c, cb, 'tributary_query_time_to_first_batch_seconds', {
          protocol: 'grpc',
        }),
        active: c.value('tributary_active_queries'),
      },
      {
        httpOk: 1,
        grpcOk: 1,
        httpRefused: 1,
        grpcRefused: 1,
        all: 4,
        allowed: 2,
        refused: 2,
        invalidKey: 2,
        missing: 1,
        authFailures: 3,
        httpDurations: 2,
        grpcDurations: 2,
        httpFirstBatch: 1,
        grpcFirstBatch: 1,
        active: 0,
      },
    );
    assert.deepEqual(
      {
        httpRows: delta(c, cb, 'tributary_query_rows_total', { protocol: 'http' }),
        grpcRows: delta(c, cb, 'tributary_query_rows_total', { protocol: 'grpc' }),
        httpBytes: delta(c, cb, 'tributary_query_bytes_total', { protocol: 'http' }),
        grpcBytes: delta(c, cb, 'tributary_query_bytes_total', { protocol: 'grpc' }),
      },
      { httpRows: http.row_count, grpcRows: 10, httpBytes: http.bytes, grpcBytes: grpc.bytes },
    );

    const route = (labels: Record<string, string>) =>
      delta(c, cb, 'tributary_http_requests_total', { method: 'POST', route: '/v1/query', ...labels });
    assert.deepEqual(
      {
        ok: route({ status: '200' }),
        refused: route({ status: '403' }),
        unauthenticated: route({ status: '401' }),
        scrapes: delta(c, cb, 'tributary_http_requests_total', { route: '/metrics', status: '200' }),
      },
      { ok: 1, refused: 1, unauthenticated: 2, scrapes: 1 },
    );
    const rpc = (code: string) =>
      delta(c, cb, 'tributary_grpc_calls_total', { method: 'QueryService/ExecuteQuery', code });
    assert.deepEqual(
      { ok: rpc('OK'), denied: rpc('PERMISSION_DENIED'), unauthenticated: rpc('UNAUTHENTICATED') },
      { ok: 1, denied: 1, unauthenticated: 1 },
    );

    // Refused queries never reach the edge; the two that ran sent exactly
    // the bytes the coordinator relayed.
    assert.deepEqual(
      {
        ok: delta(e, edgeBefore, 'tributary_edge_queries_total', { status: 'OK' }),
        all: delta(e, edgeBefore, 'tributary_edge_queries_total'),
        durations: countDelta(e, edgeBefore, 'tributary_edge_query_duration_seconds'),
        rows: delta(e, edgeBefore, 'tributary_edge_query_rows_total'),
        bytes: delta(e, edgeBefore, 'tributary_edge_query_bytes_total'),
        active: e.value('tributary_edge_active_queries'),
        inUse: e.value('tributary_edge_duckdb_connections_in_use'),
      },
      {
        ok: 2,
        all: 2,
        durations: 2,
        rows: http.row_count + 10,
        bytes: http.bytes + grpc.bytes,
        active: 0,
        inUse: 0,
      },
    );
    assert.ok(
      e.count('tributary_edge_schema_discovery_duration_seconds') >= 1,
      'discovery at start is timed',
    );
    assert.equal(e.value('tributary_build_info', { service: 'edge' }), 1);
  });

  test('labels stay bounded: no SQL, subjects, request or query ids', async () => {
    const response = await cluster.http('/v1/query', {
      method: 'POST',
      json: { sql: ALLOWED_SQL },
      headers: { 'x-api-key': cluster.apiKey, 'x-request-id': 'request-id-to-look-for' },
    });
    const { metadata } = (await response.json()) as { metadata: ResultMetadata };
    const text = (await scrape(cluster.httpUrl, auth)).text + (await scrape(edgeUrl)).text;
    for (const leak of ['SELECT', 'tester', metadata.query_id, 'request-id-to-look-for', cluster.apiKey]) {
      assert.ok(!text.includes(leak), `metrics mention ${leak}`);
    }
  });

  const newTraceId = () => randomBytes(16).toString('hex');
  const traceparent = (traceId: string) => `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
  type LogLine = Record<string, unknown>;

  test('a traceparent over HTTP reaches every log line of the request, the edge and the audit record', async () => {
    const traceId = newTraceId();
    const requestId = `trace-http-${randomBytes(4).toString('hex')}`;
    const response = await cluster.http('/v1/query', {
      method: 'POST',
      json: { sql: ALLOWED_SQL },
      headers: { 'x-api-key': cluster.apiKey, 'x-request-id': requestId, traceparent: traceparent(traceId) },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-trace-id'), traceId);
    const { metadata } = (await response.json()) as { metadata: ResultMetadata };
    const queryId = metadata.query_id;

    const ofQuery = (line: LogLine) => line.queryId === queryId && line.msg === 'query finished';
    const atCoordinator = await cluster.coordinator.waitFor(ofQuery);
    const atEdge = await (cluster.edges.get('edge-1') as Cluster['coordinator']).waitFor(ofQuery);
    assert.equal(atCoordinator.traceId, traceId);
    assert.equal(atCoordinator.requestId, requestId);
    assert.equal(atEdge.traceId, traceId, 'the edge logs the same trace for the same query');
    assert.equal(atEdge.requestId, requestId);
    await cluster.coordinator.waitFor((line) => line.requestId === requestId && line.msg === 'http request');
    const lines = cluster.coordinator.recentLogs().filter((line) => line.requestId === requestId);
    assert.ok(lines.length >= 2, JSON.stringify(lines));
    for (const line of lines) assert.equal(line.traceId, traceId, JSON.stringify(line));

    const admin = await signToken(cluster, { sub: 'auditor', roles: ['admin'] });
    const audit = await cluster.http('/v1/audit?page_size=100&kind=query', {
      headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(audit.status, 200);
    const { records } = (await audit.json()) as {
      records: { trace_id: string; query?: { query_id: string } }[];
    };
    const record = records.find((r) => r.query?.query_id === queryId);
    assert.equal(record?.trace_id, traceId);
  });

  test('a traceparent in gRPC metadata reaches the coordinator and the edge; refusals carry it too', async () => {
    const traceId = newTraceId();
    const outcome = await finishStream(
      rawQueryService(cluster.grpcAddress).ExecuteQuery(
        { sql: 'SELECT count(*) FROM lake.main.orders', params: [], limit: 0 },
        metadataOf({ 'x-api-key': cluster.apiKey, traceparent: traceparent(traceId) }),
      ),
    );
    assert.equal(outcome.code, status.OK);
    const queryId = String(outcome.headers?.get('x-query-id')[0]);
    const ofQuery = (line: LogLine) => line.queryId === queryId && line.msg === 'query finished';
    assert.equal((await cluster.coordinator.waitFor(ofQuery)).traceId, traceId);
    const edge = cluster.edges.get('edge-1') as Cluster['coordinator'];
    assert.equal((await edge.waitFor(ofQuery)).traceId, traceId);

    const refusedTrace = newTraceId();
    const refused = await finishStream(
      rawQueryService(cluster.grpcAddress).ExecuteQuery(
        { sql: REFUSED_SQL, params: [], limit: 0 },
        metadataOf({ 'x-api-key': cluster.apiKey, traceparent: traceparent(refusedTrace) }),
      ),
    );
    assert.equal(refused.code, status.PERMISSION_DENIED);
    const line = await cluster.coordinator.waitFor(
      (l) => l.traceId === refusedTrace && l.msg === 'call refused',
    );
    assert.equal(line.code, 'QUERY_UNAUTHORIZED');
  });

  test('without a valid traceparent each request starts its own trace', async () => {
    const seen = new Set<string>();
    for (const header of [undefined, 'not-a-traceparent', `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`]) {
      const response = await cluster.http('/health/live', { headers: header ? { traceparent: header } : {} });
      const traceId = String(response.headers.get('x-trace-id'));
      assert.match(traceId, /^[0-9a-f]{32}$/);
      assert.notEqual(traceId, '0'.repeat(32));
      seen.add(traceId);
    }
    assert.equal(seen.size, 3);
  });

  test('liveness: version and uptime, at the coordinator and the edge', async () => {
    for (const base of [cluster.httpUrl, edgeUrl]) {
      for (const path of ['/health', '/health/live']) {
        const response = await fetch(`${base}${path}`);
        assert.equal(response.status, 200);
        const body = (await response.json()) as { status: string; version: string; uptime_seconds: number };
        assert.equal(body.status, 'ok');
        assert.match(body.version, /^\d+\.\d+\.\d+/);
        assert.ok(Number.isInteger(body.uptime_seconds) && body.uptime_seconds >= 0);
      }
    }
  });

  test('readiness: every check named, with what it found', async () => {
    const coordinator = await fetch(`${cluster.httpUrl}/health/ready`);
    assert.equal(coordinator.status, 200);
    const body = (await coordinator.json()) as {
      status: string;
      checks: Record<string, { ok: boolean; detail?: string }>;
    };
    assert.equal(body.status, 'ready');
    assert.deepEqual(Object.keys(body.checks).sort(), ['accepting', 'sources', 'store']);
    assert.equal(body.checks.store?.ok, true);
    assert.match(String(body.checks.sources?.detail), /1 of 1 sources served by 1 edge/);

    const edge = await fetch(`${edgeUrl}/health/ready`);
    assert.equal(edge.status, 200);
    const edgeBody = (await edge.json()) as { checks: Record<string, { ok: boolean }> };
    assert.deepEqual(
      Object.fromEntries(Object.entries(edgeBody.checks).map(([name, check]) => [name, check.ok])),
      { engine: true, sources: true, accepting: true, coordinator: true },
    );
    assert.equal((await fetch(`${edgeUrl}/nope`)).status, 404);
    assert.equal((await fetch(`${edgeUrl}/metrics`, { method: 'POST' })).status, 405);
  });

  // Last: it takes the only edge away.
  test('a source without a live edge makes the coordinator not ready (503), saying which', async () => {
    (cluster.edges.get('edge-1') as Cluster['coordinator']).kill();
    let last: {
      status: number;
      body: { status: string; checks: Record<string, { ok: boolean; detail?: string }> };
    };
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${cluster.httpUrl}/health/ready`);
      last = { status: response.status, body: (await response.json()) as typeof last.body };
      if (last.status === 503 || attempt === 100) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(last.status, 503);
    assert.equal(last.body.status, 'not_ready');
    assert.equal(last.body.checks.store?.ok, true);
    assert.equal(last.body.checks.sources?.ok, false);
    assert.match(String(last.body.checks.sources?.detail), /no edge registered|offline: lake/);
    const scraped = await scrape(cluster.httpUrl, auth);
    assert.equal(scraped.value('tributary_source_edges', { source: 'lake' }), 0);
  });
});
