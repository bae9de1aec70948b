// gRPC-Web for browsers: the same handlers as native gRPC, reached over
// HTTP/1.1 with the improbable-eng client (node-http transport) and raw fetch.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GrpcWebClient, grpcWebNodeTransport, type TributaryError } from '@tributary/client';
import { tributaryV1 } from '@tributary/core';
import { Cluster } from '../support/cluster.js';
import { createFixtures, type Fixtures } from '../support/fixtures.js';

const BIG_ROWS = 200_000;
let fixtures: Fixtures;
let cluster: Cluster;

before(async () => {
  fixtures = await createFixtures({ bigRows: BIG_ROWS });
  cluster = await Cluster.start({
    edges: [{ name: 'edge-1', sources: fixtures.sources }],
    // Analysts read `lake` only, so `warehouse` is refused.
    policies: {
      grants: [
        { id: 'analysts-read-lake', effect: 'allow', to: { role: 'analyst' }, on: { source: 'lake' } },
      ],
    },
  });
});

after(async () => {
  await cluster?.stop();
  fixtures?.cleanup();
});

function webClient(credentials: { apiKey?: string; token?: string } = { apiKey: cluster.apiKey }) {
  return new GrpcWebClient({ url: cluster.grpcWebUrl, transport: grpcWebNodeTransport(), ...credentials });
}

function frame(payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

/** Splits a binary gRPC-Web response body into its frames. */
function frames(body: Buffer): { flag: number; payload: Buffer }[] {
  const out: { flag: number; payload: Buffer }[] = [];
  for (let at = 0; at < body.length; ) {
    const length = body.readUInt32BE(at + 1);
    out.push({ flag: body.readUInt8(at), payload: body.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return out;
}

const v1 = () =>
  tributaryV1() as unknown as Record<
    string,
    {
      service: Record<
        string,
        { requestSerialize(v: unknown): Buffer; responseDeserialize(b: Buffer): unknown }
      >;
    }
  >;

describe('gRPC-Web', () => {
  test('a query returns the same rows as the native client', async () => {
    const sql = 'SELECT * FROM lake.main.customers ORDER BY 1';
    const native = await cluster.client().query(sql).toArray();
    const result = webClient().query(sql);
    const viaWeb = await result.toArray();
    assert.ok(native.length > 0);
    assert.deepEqual(viaWeb, native);
    assert.equal(Number(result.metadata?.row_count), native.length);
  });

  test('unary calls: ListTables and ValidateQuery', async () => {
    const client = webClient();
    const tables = await client.listTables();
    const names = tables.tables.map((t) => `${t.ref?.source}.${t.ref?.schema}.${t.ref?.table}`);
    assert.deepEqual(
      names,
      (await cluster.client().listTables()).tables.map(
        (t) => `${t.ref?.source}.${t.ref?.schema}.${t.ref?.table}`,
      ),
    );
    assert.ok(names.includes('lake.main.customers'));
    const validation = await client.validate('SELECT name FROM lake.main.customers');
    assert.equal(validation.valid, true);
  });

  test('a large result streams in several batches', async () => {
    let batches = 0;
    let rows = 0;
    for await (const batch of webClient().query('SELECT id, label FROM lake.main.big')) {
      batches++;
      rows += batch.numRows;
    }
    assert.equal(rows, BIG_ROWS);
    assert.ok(batches > 1, `${batches} batches`);
  });

  test('an AbortSignal cancels a streaming query mid-stream', async () => {
    const controller = new AbortController();
    const result = webClient().query('SELECT id, label FROM lake.main.big', { signal: controller.signal });
    let rows = 0;
    await assert.rejects(
      (async () => {
        for await (const batch of result) {
          rows += batch.numRows;
          controller.abort();
        }
      })(),
      { code: 'CANCELLED' },
    );
    assert.ok(rows > 0 && rows < BIG_ROWS, `${rows} rows before the cancel`);
    assert.match(result.requestId ?? '', /^[0-9a-f]{32}$/);
  });

  test('a refused query has its code and request id', async () => {
    await assert.rejects(
      webClient().query('SELECT * FROM warehouse.main.products').toArray(),
      (error: TributaryError) => {
        assert.equal(error.code, 'QUERY_UNAUTHORIZED');
        assert.match(String(error.details?.request_id), /\S/);
        return true;
      },
    );
  });

  test('no credential is UNAUTHENTICATED', async () => {
    await assert.rejects(webClient({}).listTables(), { code: 'UNAUTHENTICATED' });
    await assert.rejects(webClient({}).query('SELECT 1').toArray(), { code: 'UNAUTHENTICATED' });
  });

  test('text mode: base64 request and response over fetch, trailers in the last frame', async () => {
    const request = v1().QueryService?.service.ExecuteQuery?.requestSerialize({
      sql: 'SELECT count(*) AS n FROM lake.main.customers',
      params: [],
      limit: 0,
    }) as Buffer;
    const response = await fetch(`${cluster.grpcWebUrl}/tributary.v1.QueryService/ExecuteQuery`, {
      method: 'POST',
      headers: {
        'content-type': 'application/grpc-web-text',
        'x-grpc-web': '1',
        'x-api-key': cluster.apiKey,
        'x-request-id': 'web-text-1',
      },
      body: frame(request).toString('base64'),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/grpc-web-text+proto');
    const text = await response.text();
    const body = Buffer.concat((text.match(/[^=]+={0,2}/g) ?? []).map((part) => Buffer.from(part, 'base64')));
    const all = frames(body);
    const trailer = all.at(-1);
    assert.equal(trailer?.flag, 0x80);
    const trailerText = trailer?.payload.toString() ?? '';
    assert.match(trailerText, /grpc-status: 0\r\n/);
    const data = all.filter((f) => f.flag === 0);
    assert.ok(data.length >= 2, 'schema, batch(es) and metadata');
    const last = v1().QueryService?.service.ExecuteQuery?.responseDeserialize(
      data.at(-1)?.payload as Buffer,
    ) as {
      metadata?: { row_count: string };
    };
    assert.ok(Number(last.metadata?.row_count) === 1);
  });

  test('an error before any message is trailers-only, status in the HTTP headers', async () => {
    const response = await fetch(`${cluster.grpcWebUrl}/tributary.v1.CatalogService/ListTables`, {
      method: 'POST',
      headers: { 'content-type': 'application/grpc-web+proto', origin: 'https://app.example' },
      body: frame(Buffer.alloc(0)),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('grpc-status'), '16');
    assert.equal(response.headers.get('tributary-error-code'), 'UNAUTHENTICATED');
    assert.match(response.headers.get('x-request-id') ?? '', /\S/);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.match(response.headers.get('access-control-expose-headers') ?? '', /grpc-status, grpc-message/);
    assert.equal((await response.arrayBuffer()).byteLength, 0);
  });

  test('CORS preflight', async () => {
    const response = await fetch(`${cluster.grpcWebUrl}/tributary.v1.QueryService/ExecuteQuery`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-grpc-web,x-user-agent,authorization,x-api-key',
      },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /POST/);
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
    for (const header of [
      'content-type',
      'x-grpc-web',
      'x-user-agent',
      'authorization',
      'x-api-key',
      'grpc-timeout',
    ]) {
      assert.ok(allowed.includes(header), header);
    }
    const exposed = response.headers.get('access-control-expose-headers') ?? '';
    for (const header of ['grpc-status', 'grpc-message', 'tributary-error-code', 'x-request-id']) {
      assert.ok(exposed.includes(header), header);
    }
  });

  test('the edge registry and unknown methods are UNIMPLEMENTED', async () => {
    for (const path of [
      '/tributary.v1.EdgeRegistryService/Register',
      '/tributary.v1.EdgeService/Query',
      '/nope/Nope',
    ]) {
      const response = await fetch(`${cluster.grpcWebUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/grpc-web+proto', 'x-api-key': cluster.apiKey },
        body: frame(Buffer.alloc(0)),
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('grpc-status'), '12', path);
    }
  });
});
