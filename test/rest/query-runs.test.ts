// Query runs over HTTP: asynchronous queries, their state, cancellation
// reaching the edge, stored results in every format and page size equal to
// the synchronous answer, and runs kept apart between principals.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { csvHeader, csvRows, JsonRowEncoder, type RowObject } from '@tributary/core';
import { tableFromIPC } from 'apache-arrow';
import { eventually, expectHttpError, httpQuery, nextLogLine } from '../support/assertions.js';
import { Cluster } from '../support/cluster.js';
import { createFixtures, type Fixtures } from '../support/fixtures.js';
import { signToken } from '../support/jwt.js';
import { cpuTicks } from '../support/processes.js';

/** Minutes of work for DuckDB before its first row. */
const LONG_QUERY = 'SELECT count(*) AS n FROM range(1000000000000)';
const ORDERS = 'SELECT * FROM lake.main.orders ORDER BY order_id';
/** Several record batches (the edge cuts about 64k rows per batch). */
const MANY_ROWS = "SELECT range AS n, 'row ' || range AS label FROM range(150000) ORDER BY n";

const POLICIES = {
  grants: [
    { id: 'analysts-lake', effect: 'allow', to: { role: 'analyst' }, on: { source: 'lake' } },
    { id: 'analysts-warehouse', effect: 'allow', to: { role: 'analyst' }, on: { source: 'warehouse' } },
    { id: 'restricted-lake', effect: 'allow', to: { role: 'restricted' }, on: { source: 'lake' } },
    { id: 'admins-lake', effect: 'allow', to: { role: 'admin' }, on: { source: 'lake' } },
  ],
  rowFilters: [
    {
      id: 'europe-only',
      table: 'lake.main.customers',
      predicate: "country IN ('DE', 'FR', 'ES', 'GB')",
      applies_to: { roles: ['restricted'] },
    },
  ],
  masks: [
    {
      id: 'names',
      table: 'lake.main.customers',
      column: 'name',
      mask: { kind: 'redact' },
      unless: { roles: ['analyst', 'admin'] },
    },
  ],
};

interface RunView {
  query_run_id: string;
  status: string;
  request_id: string;
  query_id: string | null;
  row_count: number | null;
  bytes: number | null;
  error: { code: string; message: string; request_id: string } | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  links: { self: string; results: string };
}

let fixtures: Fixtures;
let cluster: Cluster;
let rita: string;
let otto: string;
let admin: string;

before(async () => {
  fixtures = await createFixtures();
  cluster = await Cluster.start({
    edges: [{ name: 'edge-1', sources: fixtures.sources }],
    policies: POLICIES,
    coordinator: { query: { timeout_ms: 60_000 } },
    env: { TRIBUTARY_LOG_LEVEL: 'debug' },
  });
  rita = await signToken(cluster, { sub: 'rita', roles: ['restricted'] });
  otto = await signToken(cluster, { sub: 'otto', roles: ['analyst'] });
  admin = await signToken(cluster, { sub: 'ada', roles: ['admin'] });
});

after(async () => {
  await cluster?.stop();
  fixtures?.cleanup();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function submit(body: Record<string, unknown>, headers?: Record<string, string>): Promise<Response> {
  return cluster.http('/v1/query', { method: 'POST', json: body, headers });
}

async function submitAsync(sql: string, headers?: Record<string, string>): Promise<RunView> {
  const response = await submit({ sql, async: true }, headers);
  const text = await response.text();
  assert.equal(response.status, 202, text);
  const body = JSON.parse(text) as RunView;
  assert.match(body.query_run_id, /^run_/);
  assert.equal(response.headers.get('location'), `/v1/query-runs/${body.query_run_id}`);
  assert.deepEqual(body.links, {
    self: `/v1/query-runs/${body.query_run_id}`,
    results: `/v1/results/${body.query_run_id}`,
  });
  return body;
}

async function getRun(id: string, headers?: Record<string, string>): Promise<RunView> {
  const response = await cluster.http(`/v1/query-runs/${id}`, { headers });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return JSON.parse(text) as RunView;
}

async function finished(id: string, headers?: Record<string, string>): Promise<RunView> {
  return eventually(
    async () => {
      const run = await getRun(id, headers);
      return run.status === 'queued' || run.status === 'running' ? undefined : run;
    },
    30_000,
    `query run ${id} finished`,
  );
}

interface Page {
  response: Response;
  body: Buffer;
  next: string | null;
}

async function resultPage(id: string, query: Record<string, string>, headers?: Record<string, string>) {
  const response = await cluster.http(`/v1/results/${id}?${new URLSearchParams(query)}`, { headers });
  const body = Buffer.from(await response.arrayBuffer());
  assert.equal(response.status, 200, body.toString('utf8').slice(0, 300));
  return { response, body, next: response.headers.get('x-next-cursor') } satisfies Page;
}

/** Every page of a result in one format, following the cursors. */
async function allPages(id: string, format: string, limit: number): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | null = null;
  do {
    const query: Record<string, string> = { format, limit: String(limit) };
    if (cursor) query.cursor = cursor;
    const page = await resultPage(id, query);
    if (page.next) {
      assert.match(page.response.headers.get('link') ?? '', /rel="next"/);
    }
    pages.push(page);
    cursor = page.next;
  } while (cursor);
  return pages;
}

function arrowRows(bytes: Buffer): RowObject[] {
  const table = tableFromIPC(bytes);
  const encoder = new JsonRowEncoder(table.schema);
  return table.batches.flatMap((batch) => [...encoder.rows(batch)]);
}

describe('query runs', () => {
  test('async: 202 at once, then succeeded with timings, counts and a result equal to the sync answer', async () => {
    const sync = await httpQuery(cluster, ORDERS);
    const accepted = await submitAsync(ORDERS, { 'x-api-key': cluster.apiKey, 'x-request-id': 'rest-run-1' });
    assert.ok(['queued', 'running', 'succeeded'].includes(accepted.status));
    const run = await finished(accepted.query_run_id);
    assert.equal(run.status, 'succeeded');
    assert.equal(run.row_count, sync.data.length);
    assert.ok((run.bytes ?? 0) > 0);
    assert.equal(run.request_id, 'rest-run-1');
    assert.match(run.query_id ?? '', /^q_/);
    assert.equal(run.error, null);
    assert.ok(run.started_at && run.finished_at && Date.parse(run.finished_at) >= Date.parse(run.created_at));
    const page = await resultPage(run.query_run_id, {});
    const body = JSON.parse(page.body.toString('utf8'));
    assert.deepEqual(body.data, sync.data);
    assert.equal(body.metadata.row_count, sync.data.length);
    assert.equal(body.metadata.query_id, run.query_id);
    assert.equal(body.next_cursor, null);
  });

  test('async_after_ms: a quick query is answered inline exactly like a synchronous one', async () => {
    const sync = await httpQuery(cluster, ORDERS);
    const response = await submit({ sql: ORDERS, async_after_ms: 30_000 });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    const body = JSON.parse(text);
    assert.deepEqual(Object.keys(body), ['data', 'metadata']);
    assert.deepEqual(body.data, sync.data);
    const id = response.headers.get('x-query-run-id');
    assert.ok(id);
    assert.equal((await getRun(id)).status, 'succeeded');

    const ndjson = await cluster.http('/v1/query', {
      method: 'POST',
      json: { sql: ORDERS, async_after_ms: 30_000 },
      headers: { 'x-api-key': cluster.apiKey, accept: 'application/x-ndjson' },
    });
    assert.equal(ndjson.status, 200);
    const lines = (await ndjson.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(lines, sync.data);
  });

  test('async_after_ms: a refused query answers inline with the error, and the run records it', async () => {
    const response = await submit(
      { sql: 'SELECT * FROM warehouse.main.products', async_after_ms: 30_000 },
      bearer(rita),
    );
    const error = await expectHttpError(response, 403, 'QUERY_UNAUTHORIZED');
    const id = response.headers.get('x-query-run-id');
    assert.ok(id);
    const run = await getRun(id, bearer(rita));
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.code, 'QUERY_UNAUTHORIZED');
    assert.equal(run.error?.message, error.message);
    assert.equal(run.error?.request_id, error.request_id);
  });

  test('async_after_ms: a long query gets 202 once the wait is over; DELETE cancels it and the edge stops', async () => {
    const edge = cluster.edges.get('edge-1');
    assert.ok(edge);
    const requestId = `rest-cancel-${Date.now()}`;
    // Debug logs show when the coordinator dispatches the query; then the edge burns CPU on it.
    const dispatched = nextLogLine(
      cluster.coordinator,
      (line) => line.msg === 'query started' && line.requestId === requestId,
      20_000,
    );
    const ticks = cpuTicks(edge.child.pid);
    const response = await submit(
      { sql: LONG_QUERY, async_after_ms: 300 },
      { 'x-api-key': cluster.apiKey, 'x-request-id': requestId },
    );
    assert.equal(response.status, 202);
    const { query_run_id: id } = (await response.json()) as RunView;
    await dispatched;
    if (ticks !== undefined) {
      await eventually(
        () => (cpuTicks(edge.child.pid) ?? 0) - ticks >= 20,
        10_000,
        'DuckDB working at the edge',
      );
    }
    assert.equal((await getRun(id)).status, 'running');
    await expectHttpError(await cluster.http(`/v1/results/${id}`), 409, 'CONFLICT');

    const cancelledAtEdge = nextLogLine(
      edge,
      (line) => line.msg === 'query cancelled by caller' && line.requestId === requestId,
      20_000,
    );
    const cancel = await cluster.http(`/v1/query-runs/${id}`, { method: 'DELETE' });
    assert.equal(cancel.status, 200);
    assert.equal(((await cancel.json()) as RunView).status, 'cancelled');
    await cancelledAtEdge;
    const run = await getRun(id);
    assert.equal(run.status, 'cancelled');
    assert.equal(run.error?.code, 'CANCELLED');
    assert.ok(run.finished_at);
    // The edge serves the next query.
    assert.deepEqual((await httpQuery(cluster, 'SELECT 42 AS answer')).data, [{ answer: 42 }]);
    // A second DELETE removes the finished run.
    assert.equal((await cluster.http(`/v1/query-runs/${id}`, { method: 'DELETE' })).status, 204);
    await expectHttpError(await cluster.http(`/v1/query-runs/${id}`), 404, 'NOT_FOUND');
  });

  test('results in JSON, NDJSON, CSV and Arrow, page by page, equal the synchronous result', async () => {
    for (const [sql, limit] of [
      [ORDERS, 7],
      [MANY_ROWS, 40_000],
    ] as const) {
      const sync = await httpQuery(cluster, sql);
      const run = await finished((await submitAsync(sql)).query_run_id);
      assert.equal(run.status, 'succeeded');

      const json = await allPages(run.query_run_id, 'json', limit);
      assert.equal(json.length, Math.ceil(sync.data.length / limit));
      const jsonBodies = json.map((page) => JSON.parse(page.body.toString('utf8')));
      assert.deepEqual(
        jsonBodies.flatMap((body) => body.data),
        sync.data,
      );
      assert.deepEqual(
        jsonBodies.map((body) => body.next_cursor),
        json.map((page) => page.next),
      );

      const ndjson = await allPages(run.query_run_id, 'ndjson', limit);
      const ndjsonRows = ndjson.flatMap((page) =>
        page.body
          .toString('utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      );
      assert.deepEqual(ndjsonRows, sync.data);

      const columns = Object.keys(sync.data[0] ?? {});
      const csv = await allPages(run.query_run_id, 'csv', limit);
      for (const page of csv) assert.match(page.response.headers.get('content-type') ?? '', /^text\/csv/);
      assert.equal(
        csv.map((page) => page.body.toString('utf8').slice(csvHeader(columns).length)).join(''),
        csvRows(columns, sync.data as RowObject[]),
      );

      const arrow = await allPages(run.query_run_id, 'arrow', limit);
      assert.deepEqual(
        arrow.flatMap((page) => arrowRows(page.body)),
        sync.data,
      );
    }
  });

  test('Accept chooses the format and a whole result needs no cursor; every Arrow type survives storage', async () => {
    const sql = 'SELECT * FROM lake.main.all_types ORDER BY id';
    const sync = await httpQuery(cluster, sql);
    const run = await finished((await submitAsync(sql)).query_run_id);
    const arrow = await cluster.http(`/v1/results/${run.query_run_id}`, {
      headers: { 'x-api-key': cluster.apiKey, accept: 'application/vnd.apache.arrow.stream' },
    });
    assert.equal(arrow.status, 200);
    assert.equal(arrow.headers.get('x-next-cursor'), null);
    assert.deepEqual(arrowRows(Buffer.from(await arrow.arrayBuffer())), sync.data);
    const json = JSON.parse((await resultPage(run.query_run_id, {})).body.toString('utf8'));
    assert.deepEqual(json.data, sync.data);

    const empty = await finished(
      (await submitAsync('SELECT * FROM lake.main.orders WHERE false')).query_run_id,
    );
    assert.equal(empty.row_count, 0);
    const emptyJson = JSON.parse((await resultPage(empty.query_run_id, {})).body.toString('utf8'));
    assert.deepEqual(emptyJson.data, []);
    const emptyArrow = await resultPage(empty.query_run_id, { format: 'arrow' });
    assert.equal(tableFromIPC(emptyArrow.body).schema.fields.length, 5);
  });

  test("a governed principal's run holds only governed data, and nobody else reads it", async () => {
    const sql = 'SELECT id, name, country FROM lake.main.customers ORDER BY id';
    const direct = await cluster.http('/v1/query', { method: 'POST', json: { sql }, headers: bearer(rita) });
    const governed = ((await direct.json()) as { data: Record<string, unknown>[] }).data;
    assert.deepEqual(
      governed.map((row) => row.country),
      ['GB', 'ES', 'DE', 'FR'],
    );
    assert.ok(governed.every((row) => row.name === '***'));

    const run = await finished((await submitAsync(sql, bearer(rita))).query_run_id, bearer(rita));
    assert.equal(run.status, 'succeeded');
    const page = await resultPage(run.query_run_id, {}, bearer(rita));
    assert.deepEqual(JSON.parse(page.body.toString('utf8')).data, governed);

    // Another analyst, and the test key: neither the run nor its result exists for them.
    for (const headers of [bearer(otto), { 'x-api-key': cluster.apiKey }]) {
      await expectHttpError(
        await cluster.http(`/v1/query-runs/${run.query_run_id}`, { headers }),
        404,
        'NOT_FOUND',
      );
      await expectHttpError(
        await cluster.http(`/v1/results/${run.query_run_id}`, { headers }),
        404,
        'NOT_FOUND',
      );
      await expectHttpError(
        await cluster.http(`/v1/query-runs/${run.query_run_id}`, { method: 'DELETE', headers }),
        404,
        'NOT_FOUND',
      );
      const list = await cluster.http('/v1/query-runs', { headers });
      const ids = ((await list.json()) as { query_runs: RunView[] }).query_runs.map((r) => r.query_run_id);
      assert.ok(!ids.includes(run.query_run_id));
    }
    // A tenant admin sees the run, but not the result governed for someone else.
    assert.equal((await getRun(run.query_run_id, bearer(admin))).status, 'succeeded');
    await expectHttpError(
      await cluster.http(`/v1/results/${run.query_run_id}`, { headers: bearer(admin) }),
      404,
      'NOT_FOUND',
    );
  });

  test('listing: own runs only, newest first, filtered by status, in pages', async () => {
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push((await submitAsync(`SELECT ${i} AS i`, bearer(otto))).query_run_id);
    for (const id of mine) await finished(id, bearer(otto));
    const seen: string[] = [];
    let token = '';
    do {
      const response = await cluster.http(
        `/v1/query-runs?status=succeeded&page_size=2${token ? `&page_token=${token}` : ''}`,
        { headers: bearer(otto) },
      );
      assert.equal(response.status, 200);
      const body = (await response.json()) as { query_runs: RunView[]; next_page_token: string };
      assert.ok(body.query_runs.length <= 2);
      for (const run of body.query_runs) assert.equal(run.status, 'succeeded');
      seen.push(...body.query_runs.map((run) => run.query_run_id));
      token = body.next_page_token;
    } while (token);
    assert.deepEqual(seen, [...mine].reverse());
    const admins = (await (
      await cluster.http('/v1/query-runs?page_size=1000', { headers: bearer(admin) })
    ).json()) as {
      query_runs: RunView[];
    };
    for (const id of mine) assert.ok(admins.query_runs.some((run) => run.query_run_id === id));
  });

  test('bad inputs get structured errors', async () => {
    const run = await finished((await submitAsync(ORDERS)).query_run_id);
    const id = run.query_run_id;
    const cases: [string, RequestInit & { json?: unknown }, number, string][] = [
      ['/v1/query-runs/run_doesnotexist0000', {}, 404, 'NOT_FOUND'],
      ['/v1/query-runs/../etc', {}, 404, 'NOT_FOUND'],
      ['/v1/results/run_doesnotexist0000', {}, 404, 'NOT_FOUND'],
      [`/v1/results/${id}?cursor=not-a-cursor`, {}, 400, 'INVALID_ARGUMENT'],
      [`/v1/results/${id}?format=xml`, {}, 400, 'INVALID_ARGUMENT'],
      [`/v1/results/${id}?limit=0`, {}, 400, 'INVALID_ARGUMENT'],
      [`/v1/results/${id}?limit=-3`, {}, 400, 'INVALID_ARGUMENT'],
      ['/v1/query-runs?status=done', {}, 400, 'INVALID_ARGUMENT'],
      ['/v1/query-runs?page_token=bogus', {}, 400, 'INVALID_ARGUMENT'],
      ['/v1/query', { method: 'POST', json: { sql: ORDERS, async: 'yes' } }, 400, 'INVALID_ARGUMENT'],
      ['/v1/query', { method: 'POST', json: { sql: ORDERS, async_after_ms: -1 } }, 400, 'INVALID_ARGUMENT'],
      [
        '/v1/query',
        { method: 'POST', json: { sql: ORDERS, async: false, async_after_ms: 5 } },
        400,
        'INVALID_ARGUMENT',
      ],
      ['/v1/query', { method: 'POST', json: { async: true } }, 400, 'INVALID_ARGUMENT'],
    ];
    for (const [path, init, status, code] of cases) {
      await expectHttpError(await cluster.http(path, init), status, code as never);
    }
    // A cursor of one result is refused by another.
    const other = await finished((await submitAsync(ORDERS)).query_run_id);
    const first = await resultPage(id, { limit: '5' });
    assert.ok(first.next);
    await expectHttpError(
      await cluster.http(`/v1/results/${other.query_run_id}?cursor=${first.next}`),
      400,
      'INVALID_ARGUMENT',
    );
    // Without credentials nothing is revealed.
    await expectHttpError(await fetch(`${cluster.httpUrl}/v1/query-runs/${id}`), 401, 'UNAUTHENTICATED');
  });
});
