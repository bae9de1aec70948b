import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateSampleData } from '@tributary/cli';
import type { TributaryError } from '@tributary/core';
import { Cluster } from '../support/cluster.js';
import { signToken } from '../support/jwt.js';

// The demo data under a policy set exercising every kind of rule, queried
// as different principals over gRPC and HTTP: the same decisions and the
// same rows on both.
const POLICIES = {
  grants: [
    { id: 'analysts-lake', effect: 'allow', to: { role: 'analyst' }, on: { source: 'lake' } },
    {
      id: 'analysts-no-ltv',
      effect: 'deny',
      to: { role: 'analyst' },
      on: { source: 'lake', schema: 'main', table: 'customers', columns: ['lifetime_value'] },
    },
    {
      id: 'viewers-customer-names',
      effect: 'allow',
      to: { role: 'viewer' },
      on: { source: 'lake', schema: 'main', table: 'customers', columns: ['customer_id', 'name', 'region'] },
    },
    { id: 'admins-all', effect: 'allow', to: { role: 'admin' }, on: { source: 'lake' } },
  ],
  rowFilters: [
    {
      id: 'own-region',
      table: 'lake.main.customers',
      predicate: 'region = :user.region',
      exempt: { roles: ['admin'] },
    },
  ],
  masks: [
    {
      id: 'email-domain',
      table: 'lake.main.customers',
      column: 'email',
      mask: { kind: 'email_domain' },
      unless: { roles: ['admin'] },
    },
  ],
};

async function grpcRows(cluster: Cluster, token: string, sql: string, params: (string | number)[] = []) {
  return cluster.client({ token }).query(sql, { params }).toArray();
}

async function httpRows(cluster: Cluster, token: string, sql: string, params: (string | number)[] = []) {
  const response = await cluster.http('/v1/query', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    json: { sql, params },
  });
  const body = (await response.json()) as { data?: unknown[]; error?: { code: string; message: string } };
  return { status: response.status, body };
}

describe('governed queries end to end', () => {
  let cluster: Cluster;
  let dataDir: string;
  let emea: string;
  let amer: string;
  let admin: string;
  let viewer: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tributary-governance-'));
    const data = await generateSampleData({ dir: dataDir, scale: 0.02 });
    cluster = await Cluster.start({
      edges: [{ name: 'edge-1', sources: [{ name: 'lake', type: 'files', path: data.filesDir }] }],
      policies: POLICIES,
    });
    emea = await signToken(cluster, { sub: 'emma', roles: ['analyst'], attributes: { region: 'EMEA' } });
    amer = await signToken(cluster, { sub: 'amir', roles: ['analyst'], attributes: { region: 'AMER' } });
    admin = await signToken(cluster, { sub: 'ada', roles: ['admin'] });
    viewer = await signToken(cluster, { sub: 'vic', roles: ['viewer'], attributes: { region: 'APAC' } });
  });

  after(async () => {
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('row filters follow the caller’s attributes', async () => {
    const sql = 'SELECT DISTINCT region FROM lake.main.customers ORDER BY region';
    assert.deepEqual(await grpcRows(cluster, emea, sql), [{ region: 'EMEA' }]);
    assert.deepEqual(await grpcRows(cluster, amer, sql), [{ region: 'AMER' }]);
    const all = await grpcRows(cluster, admin, sql);
    assert.deepEqual(all, [{ region: 'AMER' }, { region: 'APAC' }, { region: 'EMEA' }]);
  });

  test('a user predicate combines with the filter instead of escaping it', async () => {
    const rows = await grpcRows(
      cluster,
      emea,
      "SELECT count(*) AS n FROM lake.main.customers WHERE region = 'AMER' OR 1 = 1",
    );
    const own = await grpcRows(cluster, emea, 'SELECT count(*) AS n FROM lake.main.customers');
    assert.deepEqual(rows, own);
  });

  test('masked columns show the mask everywhere, predicates included', async () => {
    const rows = await grpcRows(
      cluster,
      emea,
      'SELECT email FROM lake.main.customers WHERE email IS NOT NULL LIMIT 5',
    );
    assert.ok(rows.length > 0);
    for (const row of rows) assert.match(String(row.email), /^\*\*\*@[a-z0-9.-]+$/i);
    const [clear] = await grpcRows(
      cluster,
      admin,
      'SELECT email FROM lake.main.customers WHERE email IS NOT NULL LIMIT 1',
    );
    const leaked = await grpcRows(
      cluster,
      emea,
      'SELECT count(*) AS n FROM lake.main.customers WHERE email = $1',
      [String(clear?.email)],
    );
    assert.deepEqual(leaked, [{ n: 0 }]);
  });

  test('a denied column is refused by name, wherever it appears', async () => {
    for (const sql of [
      'SELECT lifetime_value FROM lake.main.customers',
      'SELECT name FROM lake.main.customers ORDER BY lifetime_value',
      'SELECT * FROM lake.main.customers',
      'SELECT count(*) FROM lake.main.customers WHERE lifetime_value > 100',
    ]) {
      await assert.rejects(grpcRows(cluster, emea, sql), (error: TributaryError) => {
        assert.equal(error.code, 'QUERY_UNAUTHORIZED', sql);
        assert.match(error.message, /lifetime_value/);
        return true;
      });
    }
    const rows = await grpcRows(
      cluster,
      emea,
      'SELECT * EXCLUDE (lifetime_value) FROM lake.main.customers LIMIT 1',
    );
    assert.equal(rows.length, 1);
  });

  test('no grant, no data: tables outside the grants are refused and hidden from the catalog', async () => {
    await assert.rejects(grpcRows(cluster, viewer, 'SELECT * FROM lake.main.orders'), {
      code: 'QUERY_UNAUTHORIZED',
    });
    const tables = await cluster.client({ token: viewer }).listTables();
    const names = tables.tables.map((t) => `${t.ref?.source}.${t.ref?.schema}.${t.ref?.table}`);
    assert.deepEqual(names, ['lake.main.customers']);
    await assert.rejects(cluster.client({ token: viewer }).getTable('lake.main.orders'), {
      code: 'NOT_FOUND',
    });
  });

  test('gRPC and HTTP give identical governed rows and identical refusals', async () => {
    const sql = 'SELECT customer_id, email, region FROM lake.main.customers ORDER BY customer_id LIMIT 20';
    const viaGrpc = await grpcRows(cluster, emea, sql);
    const viaHttp = await httpRows(cluster, emea, sql);
    assert.equal(viaHttp.status, 200);
    assert.deepEqual(viaHttp.body.data, viaGrpc);
    const refused = await httpRows(cluster, emea, 'SELECT lifetime_value FROM lake.main.customers');
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error?.code, 'QUERY_UNAUTHORIZED');
  });

  test('ValidateQuery and ExplainAccess say what applies and why', async () => {
    const validation = await cluster
      .client({ token: emea })
      .validate('SELECT email FROM lake.main.customers');
    assert.equal(validation.valid, true);
    const access = validation.access[0];
    assert.deepEqual(access?.filters, ['own-region']);
    assert.deepEqual(access?.masks, ['email-domain']);
    assert.equal(access?.row_filtered, true);
    const refused = await cluster
      .client({ token: emea })
      .validate('SELECT lifetime_value FROM lake.main.customers');
    assert.equal(refused.valid, false);
    assert.equal(refused.error?.code, 'QUERY_UNAUTHORIZED');

    const response = await cluster.http('/v1/catalog/tables/lake.main.customers/access', {
      headers: { authorization: `Bearer ${emea}` },
    });
    const explained = (await response.json()) as {
      readable: boolean;
      access: { columns: { name: string; access: string }[] };
    };
    assert.equal(explained.readable, true);
    const byName = Object.fromEntries(explained.access.columns.map((c) => [c.name, c.access]));
    assert.equal(byName.email, 'masked');
    assert.equal(byName.lifetime_value, 'denied');
    assert.equal(byName.name, 'read');
  });

  test('bypass attempts never reach the data', async () => {
    for (const sql of [
      "SELECT * FROM read_parquet('lake/customers.parquet')",
      'SELECT * FROM duckdb_tables()',
      'WITH customers AS (SELECT 1 AS x) SELECT lifetime_value FROM lake.main.customers',
      'SELECT LIFETIME_VALUE FROM LAKE.MAIN.CUSTOMERS',
      'SELECT "lifetime_value" FROM "lake"."main"."customers"',
      'SELECT 1; SELECT lifetime_value FROM lake.main.customers',
    ]) {
      await assert.rejects(grpcRows(cluster, emea, sql), (error: TributaryError) => {
        assert.ok(['INVALID_ARGUMENT', 'QUERY_UNAUTHORIZED'].includes(error.code), `${sql}: ${error.code}`);
        return true;
      });
    }
  });

  test('a policy change takes effect on the next query', async () => {
    const current = await cluster.http('/v1/policies', { headers: { authorization: `Bearer ${admin}` } });
    assert.equal(current.status, 200, await current.clone().text());
    const { version } = (await current.json()) as { version: number };
    const before = await grpcRows(cluster, amer, 'SELECT count(*) AS n FROM lake.main.customers');
    const widened = {
      ...POLICIES,
      rowFilters: [{ ...POLICIES.rowFilters[0], exempt: { roles: ['admin', 'analyst'] } }],
    };
    const put = await cluster.http('/v1/policies', {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}` },
      json: { document: widened, expected_version: version },
    });
    assert.equal(put.status, 200, await put.clone().text());
    const afterChange = await grpcRows(cluster, amer, 'SELECT count(*) AS n FROM lake.main.customers');
    assert.ok(Number(afterChange[0]?.n) > Number(before[0]?.n));
  });
});
