// The error model end to end: every refusal has its code, its HTTP status
// and gRPC status, the JSON envelope with the request id, and the
// `tributary-error-code` trailer; request ids are echoed and logged.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { status } from '@grpc/grpc-js';
import type { TributaryClient } from '@tributary/client';
import { ERROR_CODE_KEY, ERROR_CODES, type ErrorCode, REQUEST_ID_KEY } from '@tributary/core';
import { eventually, expectGrpcError, expectHttpError, httpQuery } from '../support/assertions.js';
import { Cluster } from '../support/cluster.js';
import { createFixtures, type Fixtures } from '../support/fixtures.js';
import { finishStream, metadataOf, rawQueryService } from '../support/grpc.js';

let fixtures: Fixtures;
let cluster: Cluster;
let client: TributaryClient;

before(async () => {
  fixtures = await createFixtures();
  cluster = await Cluster.start({ edges: [{ name: 'edge-1', sources: fixtures.sources }] });
  client = cluster.client();
});

after(async () => {
  await cluster?.stop();
  fixtures?.cleanup();
});

interface RefusalCase {
  name: string;
  sql: string;
  code: ErrorCode;
  params?: (string | number | null)[];
  /** The 1-based character position the error must report. */
  position?: number;
}

const statement = (name: string, sql: string): RefusalCase => ({ name, sql, code: 'INVALID_ARGUMENT' });

const REFUSALS: RefusalCase[] = [
  { name: 'unknown table', sql: 'SELECT * FROM lake.main.nope', code: 'NOT_FOUND', position: 15 },
  { name: 'unknown source', sql: 'SELECT * FROM nowhere.main.customers', code: 'NOT_FOUND' },
  { name: 'unknown schema', sql: 'SELECT * FROM warehouse.sales.products', code: 'NOT_FOUND' },
  {
    name: 'syntax error (at the start)',
    sql: 'SELEC name FROM lake.main.customers',
    code: 'INVALID_ARGUMENT',
    position: 1,
  },
  {
    name: 'syntax error (at the end of input)',
    sql: 'SELECT name FROM lake.main.customers WHERE',
    code: 'INVALID_ARGUMENT',
    position: 43,
  },
  {
    name: 'unknown column',
    sql: 'SELECT nope FROM lake.main.customers',
    code: 'INVALID_ARGUMENT',
    position: 8,
  },
  {
    name: 'unknown column after multi-byte text (positions count characters)',
    sql: `SELECT 'ü' AS x, nope FROM lake.main.customers`,
    code: 'INVALID_ARGUMENT',
    position: 18,
  },
  {
    name: 'type error',
    sql: `SELECT id + 'abc'::DATE FROM lake.main.customers`,
    code: 'INVALID_ARGUMENT',
  },
  {
    name: 'too few parameters',
    sql: 'SELECT * FROM lake.main.customers WHERE id = $1',
    code: 'INVALID_ARGUMENT',
  },
  {
    name: 'too many parameters',
    sql: 'SELECT 1',
    params: [1, 2],
    code: 'INVALID_ARGUMENT',
  },
  statement('INSERT', `INSERT INTO lake.main.customers VALUES (8, 'x', 'y', NULL, NULL)`),
  statement('UPDATE', 'UPDATE warehouse.main.products SET price = 0'),
  statement('DELETE', 'DELETE FROM warehouse.main.products'),
  statement('CREATE TABLE', 'CREATE TABLE t (x INTEGER)'),
  statement('CREATE TABLE AS', 'CREATE TABLE t AS SELECT * FROM lake.main.customers'),
  statement('DROP', 'DROP TABLE warehouse.main.products'),
  statement('ATTACH', `ATTACH '/tmp/tributary-e2e-attach.duckdb' AS other`),
  statement('DETACH', 'DETACH warehouse'),
  statement('COPY … TO', `COPY warehouse.main.products TO '/tmp/tributary-e2e-copy.csv'`),
  statement('COPY (query) TO', `COPY (SELECT * FROM lake.main.customers) TO '/tmp/tributary-e2e-copy.csv'`),
  statement('INSTALL', 'INSTALL httpfs'),
  statement('LOAD', 'LOAD httpfs'),
  statement('SET', 'SET threads = 1'),
  statement('RESET', 'RESET memory_limit'),
  statement('PRAGMA', 'PRAGMA version'),
  statement('CALL', 'CALL duckdb_settings()'),
  statement('EXPLAIN', 'EXPLAIN SELECT 1'),
  statement('DESCRIBE', 'DESCRIBE warehouse.main.products'),
  statement('multiple statements', 'SELECT 1; SELECT 2'),
  statement('a SELECT smuggling a DROP', 'SELECT 1; DROP TABLE warehouse.main.products'),
  statement('read_csv of a system file', `SELECT * FROM read_csv('/etc/passwd')`),
  statement('read_parquet', `SELECT * FROM read_parquet('/etc/passwd')`),
  statement('read_text', `SELECT * FROM read_text('/etc/passwd')`),
  statement('glob', `SELECT * FROM glob('/etc/*')`),
  statement('duckdb_settings()', 'SELECT * FROM duckdb_settings()'),
  statement('information_schema.tables', 'SELECT * FROM information_schema.tables'),
  statement('a catalog’s information_schema', 'SELECT * FROM warehouse.information_schema.tables'),
  statement('a built-in view (duckdb_tables)', 'SELECT * FROM duckdb_tables'),
  statement('a file path as a table (replacement scan)', `SELECT * FROM '/etc/passwd'`),
  statement('a quoted file path as a table', `SELECT * FROM "/etc/passwd"`),
  statement('query()', `SELECT * FROM query('SELECT 1')`),
  statement('getenv()', `SELECT getenv('HOME') AS home`),
  statement('current_setting()', `SELECT current_setting('threads') AS t`),
  statement(
    'a table function hidden in a CTE',
    `WITH x AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM x`,
  ),
  statement('a table function hidden in a scalar subquery', `SELECT (SELECT count(*) FROM glob('/*')) AS n`),
  statement(
    'a table function hidden in an IN subquery',
    `SELECT * FROM lake.main.customers WHERE name IN (SELECT file FROM glob('/etc/*'))`,
  ),
  statement(
    'a table function after UNION ALL',
    `SELECT name FROM lake.main.customers UNION ALL SELECT * FROM read_text('/etc/hostname')`,
  ),
];

describe('refused queries: code, HTTP status and envelope, gRPC status and trailers', () => {
  for (const c of REFUSALS) {
    test(c.name, async () => {
      const response = await cluster.http('/v1/query', {
        method: 'POST',
        json: { sql: c.sql, ...(c.params ? { params: c.params } : {}) },
      });
      const httpError = await expectHttpError(response, ERROR_CODES[c.code].http, c.code);
      const grpcError = await expectGrpcError(
        client.query(c.sql, { params: c.params ?? [] }).toArray(),
        c.code,
      );
      assert.equal(grpcError.message, httpError.message, 'the same message on both protocols');
      if (c.position !== undefined) {
        assert.equal(httpError.details?.position, c.position, 'HTTP details.position');
        assert.equal(grpcError.details?.position, c.position, 'gRPC details.position');
      }
    });
  }

  test('the edge still answers after the refusals', async () => {
    const body = await httpQuery(cluster, 'SELECT count(*) AS n FROM warehouse.main.products');
    assert.deepEqual(body.data, [{ n: 7 }]);
  });
});

describe('malformed HTTP requests', () => {
  const post = (body: string | undefined, headers: Record<string, string> = {}) =>
    cluster.http('/v1/query', {
      method: 'POST',
      body,
      headers: { 'x-api-key': cluster.apiKey, 'content-type': 'application/json', ...headers },
    });

  const BAD_BODIES: { name: string; body: unknown }[] = [
    { name: 'params is an object', body: { sql: 'SELECT $1 AS v', params: { a: 1 } } },
    { name: 'a parameter is an object', body: { sql: 'SELECT $1 AS v', params: [{ a: 1 }] } },
    { name: 'a parameter is an array', body: { sql: 'SELECT $1 AS v', params: [[1]] } },
    { name: 'params is a string', body: { sql: 'SELECT $1 AS v', params: 'x' } },
    { name: 'sql is missing', body: { params: [] } },
    { name: 'sql is not a string', body: { sql: 42 } },
    { name: 'sql is empty', body: { sql: '   ' } },
    { name: 'limit is negative', body: { sql: 'SELECT 1', limit: -1 } },
    { name: 'limit is not an integer', body: { sql: 'SELECT 1', limit: 1.5 } },
    { name: 'limit is text', body: { sql: 'SELECT 1', limit: 'ten' } },
  ];
  for (const c of BAD_BODIES) {
    test(`${c.name} → 400 INVALID_ARGUMENT`, async () => {
      await expectHttpError(await post(JSON.stringify(c.body)), 400, 'INVALID_ARGUMENT');
    });
  }

  test('malformed JSON → 400 INVALID_ARGUMENT', async () => {
    await expectHttpError(await post('{"sql": "SELECT 1",'), 400, 'INVALID_ARGUMENT');
  });

  test('a body that is not JSON → 400 INVALID_ARGUMENT', async () => {
    const response = await post('SELECT 1', { 'content-type': 'text/plain' });
    await expectHttpError(response, 400, 'INVALID_ARGUMENT');
  });

  test('a body over the limit → 413 PAYLOAD_TOO_LARGE', async () => {
    const huge = JSON.stringify({ sql: `SELECT '${'x'.repeat(2 * 1024 * 1024)}' AS v` });
    await expectHttpError(await post(huge), 413, 'PAYLOAD_TOO_LARGE');
  });

  test('SQL longer than the configured maximum is refused (400 or 413)', async () => {
    const sql = `SELECT '${'y'.repeat(300 * 1024)}' AS v`;
    const response = await post(JSON.stringify({ sql }));
    assert.ok([400, 413].includes(response.status), `status ${response.status}`);
    await expectHttpError(
      response,
      response.status,
      response.status === 400 ? 'INVALID_ARGUMENT' : 'PAYLOAD_TOO_LARGE',
    );
  });

  const UNKNOWN_ROUTES: [string, string][] = [
    ['GET', '/v1/nope'],
    ['POST', '/v1/query/nope'],
    ['GET', '/v1/query'],
    ['DELETE', '/v1/catalog/sources'],
    ['GET', '/'],
  ];
  for (const [method, path] of UNKNOWN_ROUTES) {
    test(`unknown route ${method} ${path} → 404 envelope`, async () => {
      const response = await cluster.http(path, { method });
      await expectHttpError(response, 404, 'NOT_FOUND');
    });
  }
});

describe('gRPC argument errors', () => {
  test('empty SQL → INVALID_ARGUMENT', async () => {
    await expectGrpcError(client.query('').toArray(), 'INVALID_ARGUMENT');
  });

  test('a negative limit → INVALID_ARGUMENT', async () => {
    await expectGrpcError(client.query('SELECT 1', { limit: -1 }).toArray(), 'INVALID_ARGUMENT');
  });
});

describe('request ids', () => {
  test('HTTP: a caller-supplied x-request-id is echoed, used in the envelope and logged', async () => {
    const requestId = `e2e-http-${Date.now()}`;
    const ok = await cluster.http('/v1/query', {
      method: 'POST',
      json: { sql: 'SELECT 1 AS one' },
      headers: { 'x-api-key': cluster.apiKey, 'x-request-id': requestId },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('x-request-id'), requestId);
    await ok.text();

    const failedId = `${requestId}-fail`;
    const failed = await cluster.http('/v1/query', {
      method: 'POST',
      json: { sql: 'SELECT * FROM lake.main.nope' },
      headers: { 'x-api-key': cluster.apiKey, 'x-request-id': failedId },
    });
    const error = await expectHttpError(failed, 404, 'NOT_FOUND');
    assert.equal(error.request_id, failedId);

    const logs = () => cluster.coordinator.recentLogs();
    await eventually(
      () => logs().some((line) => line.requestId === requestId),
      5_000,
      'the query logged with the caller’s request id',
    );
    await eventually(
      () => logs().some((line) => line.requestId === failedId),
      5_000,
      'the refusal logged with the caller’s request id',
    );
  });

  test('HTTP: an unusable x-request-id is replaced by a generated one', async () => {
    for (const bad of ['has spaces in it', 'x'.repeat(300), 'semi;colon', '<script>']) {
      const response = await cluster.http('/v1/query', {
        method: 'POST',
        json: { sql: 'SELECT * FROM lake.main.nope' },
        headers: { 'x-api-key': cluster.apiKey, 'x-request-id': bad },
      });
      const error = await expectHttpError(response, 404, 'NOT_FOUND');
      assert.notEqual(error.request_id, bad);
      assert.match(error.request_id, /^[A-Za-z0-9._:-]{1,128}$/);
    }
  });

  test('HTTP: a request id is generated when none is sent', async () => {
    const response = await cluster.http('/v1/catalog/sources');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('x-request-id') ?? '', /^[A-Za-z0-9._:-]{8,128}$/);
    await response.text();
  });

  test('gRPC: a caller-supplied x-request-id comes back in headers and trailers and is logged', async () => {
    const stub = rawQueryService(cluster.grpcAddress);
    try {
      const requestId = `e2e-grpc-${Date.now()}`;
      const ok = await finishStream(
        stub.ExecuteQuery(
          { sql: 'SELECT 1 AS one', params: [], limit: 0 },
          metadataOf({ 'x-api-key': cluster.apiKey, 'x-request-id': requestId }),
        ),
      );
      assert.equal(ok.code, status.OK, ok.details);
      assert.equal(ok.headers?.get(REQUEST_ID_KEY)[0], requestId);
      assert.ok(ok.messages.length >= 2, 'schema, batch(es) and metadata');

      const failedId = `${requestId}-fail`;
      const failed = await finishStream(
        stub.ExecuteQuery(
          { sql: 'SELECT * FROM lake.main.nope', params: [], limit: 0 },
          metadataOf({ 'x-api-key': cluster.apiKey, 'x-request-id': failedId }),
        ),
      );
      assert.equal(failed.code, status.NOT_FOUND);
      assert.equal(failed.trailers.get(ERROR_CODE_KEY)[0], 'NOT_FOUND');
      assert.equal(failed.trailers.get(REQUEST_ID_KEY)[0], failedId);

      await eventually(
        () => cluster.coordinator.recentLogs().some((line) => line.requestId === requestId),
        5_000,
        'the gRPC query logged with the caller’s request id',
      );
      await eventually(
        () => cluster.coordinator.recentLogs().some((line) => line.requestId === failedId),
        5_000,
        'the gRPC refusal logged with the caller’s request id',
      );
    } finally {
      stub.close();
    }
  });
});
