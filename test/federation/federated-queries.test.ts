import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateSampleData } from '@tributary/cli';
import { Cluster } from '../support/cluster.js';
import { signToken } from '../support/jwt.js';

// Two edges over the demo data: edge-a serves it as `lake`, edge-b serves
// the same files as `crm`. A join of lake.main.customers with crm.main.orders
// is split between them; the same join with lake.main.orders runs whole on
// edge-a, so the two must agree row for row. Policies on lake.main.customers
// (a row filter by the caller's region, a mask on email) must hold in the
// split query exactly as they do on one edge.
const POLICIES = {
  grants: [
    { id: 'analysts-lake', effect: 'allow', to: { role: 'analyst' }, on: { source: 'lake' } },
    { id: 'analysts-crm', effect: 'allow', to: { role: 'analyst' }, on: { source: 'crm' } },
    { id: 'admins-lake', effect: 'allow', to: { role: 'admin' }, on: { source: 'lake' } },
    { id: 'admins-crm', effect: 'allow', to: { role: 'admin' }, on: { source: 'crm' } },
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

const JOIN = (orders: string) =>
  `SELECT c.customer_id, c.email, c.region, o.order_id, o.total_amount
     FROM lake.main.customers c JOIN ${orders} o ON o.customer_id = c.customer_id
    WHERE o.status = 'delivered' AND c.customer_id < 400
    ORDER BY o.order_id`;

describe('queries across edges', () => {
  let cluster: Cluster;
  let dataDir: string;
  let emea: string;
  let admin: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tributary-federation-'));
    const data = await generateSampleData({ dir: dataDir, scale: 0.02 });
    cluster = await Cluster.start({
      edges: [
        { name: 'edge-a', sources: [{ name: 'lake', type: 'files', path: data.filesDir }] },
        { name: 'edge-b', sources: [{ name: 'crm', type: 'files', path: data.filesDir }] },
      ],
      policies: POLICIES,
    });
    emea = await signToken(cluster, { sub: 'emma', roles: ['analyst'], attributes: { region: 'EMEA' } });
    admin = await signToken(cluster, { sub: 'ada', roles: ['admin'] });
  });

  after(async () => {
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a split join returns what the same join returns on one edge', async () => {
    const client = cluster.client({ token: admin });
    const split = await client.query(JOIN('crm.main.orders')).toArray();
    const whole = await client.query(JOIN('lake.main.orders')).toArray();
    assert.ok(split.length > 10);
    assert.deepEqual(split, whole);
  });

  test('row filters and masks hold in a split join', async () => {
    const client = cluster.client({ token: emea });
    const split = await client.query(JOIN('crm.main.orders')).toArray();
    const whole = await client.query(JOIN('lake.main.orders')).toArray();
    assert.ok(split.length > 0);
    assert.deepEqual(split, whole);
    for (const row of split) {
      assert.equal(row.region, 'EMEA');
      if (row.email !== null) assert.match(String(row.email), /^\*\*\*@[a-z0-9.-]+$/i);
    }
    assert.ok(split.some((row) => row.email !== null));
    const adminRows = await cluster.client({ token: admin }).query(JOIN('crm.main.orders')).toArray();
    assert.ok(adminRows.length > split.length, 'the filter removed rows of other regions');
    const clear = adminRows.find((row) => row.region === 'EMEA' && row.email !== null);
    assert.ok(clear && !String(clear.email).startsWith('***'));
    // A predicate on the masked column sees the mask, also when pushed to the edge.
    const leaked = await client
      .query(
        `SELECT count(*) AS n FROM lake.main.customers c JOIN crm.main.orders o ON o.customer_id = c.customer_id
          WHERE c.email = $1`,
        { params: [String(clear.email)] },
      )
      .toArray();
    assert.deepEqual(leaked, [{ n: 0 }]);
  });

  test('ValidateQuery explains the split; HTTP mirrors it', async () => {
    const client = cluster.client({ token: emea });
    const validation = await client.validate(JOIN('crm.main.orders'));
    assert.equal(validation.valid, true);
    const plan = validation.plan;
    assert.equal(plan?.mode, 'federated');
    const [customers, orders] = plan?.fragments ?? [];
    assert.equal(customers?.table, 'lake.main.customers');
    assert.deepEqual(customers?.edges, ['edge-a']);
    assert.deepEqual(customers?.columns, ['customer_id', 'email', 'region']);
    assert.equal(customers?.pushed_filters, 1);
    // The fragment carries the policy's filter as a placeholder, never its value.
    assert.match(customers?.sql ?? '', /region = \$1/);
    assert.doesNotMatch(customers?.sql ?? '', /EMEA/);
    assert.equal(orders?.table, 'crm.main.orders');
    assert.deepEqual(orders?.edges, ['edge-b']);
    // status is filtered at the edge and read nowhere else, so it does not travel.
    assert.deepEqual(orders?.columns, ['order_id', 'customer_id', 'total_amount']);
    assert.equal(orders?.pushed_filters, 1);
    assert.match(plan?.coordinator_sql ?? '', new RegExp(`memory\\.main\\.${customers?.coordinator_table}`));

    const response = await cluster.http('/v1/query/validate', {
      method: 'POST',
      headers: { authorization: `Bearer ${emea}` },
      json: { sql: JOIN('crm.main.orders') },
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { plan: { mode: string; fragments: { table: string }[] } };
    assert.equal(body.plan.mode, 'federated');
    assert.deepEqual(
      body.plan.fragments.map((f) => f.table),
      ['lake.main.customers', 'crm.main.orders'],
    );

    const single = await client.validate('SELECT count(*) FROM lake.main.orders');
    assert.equal(single.plan?.mode, 'edge');
    assert.deepEqual(single.edges, ['edge-a']);
  });

  test('subqueries, aggregates, outer joins and limits over split tables', async () => {
    const client = cluster.client({ token: admin });
    const shapes = (orders: string) => [
      `SELECT c.region, count(*) AS n, sum(o.total_amount) AS total FROM lake.main.customers c
         JOIN ${orders} o USING (customer_id) GROUP BY c.region ORDER BY c.region`,
      `SELECT c.customer_id, count(o.order_id) AS n FROM lake.main.customers c
         LEFT JOIN ${orders} o ON o.customer_id = c.customer_id AND o.status = 'cancelled'
        WHERE c.customer_id < 50 GROUP BY c.customer_id ORDER BY c.customer_id`,
      `SELECT customer_id, name FROM lake.main.customers c
        WHERE EXISTS (SELECT 1 FROM ${orders} o WHERE o.customer_id = c.customer_id AND o.total_amount > 900)
        ORDER BY customer_id LIMIT 20`,
      `WITH big AS (SELECT customer_id, max(total_amount) AS top FROM ${orders} GROUP BY ALL)
       SELECT c.segment, round(avg(b.top), 2) AS avg_top FROM big b, lake.main.customers c
        WHERE b.customer_id = c.customer_id GROUP BY c.segment ORDER BY c.segment`,
    ];
    const split = shapes('crm.main.orders');
    const whole = shapes('lake.main.orders');
    for (let i = 0; i < split.length; i++) {
      const a = await client.query(split[i] as string).toArray();
      const b = await client.query(whole[i] as string).toArray();
      assert.ok(a.length > 0, split[i]);
      assert.deepEqual(a, b, split[i]);
    }
    const limited = await client.query(JOIN('crm.main.orders'), { limit: 3 }).toArray();
    assert.equal(limited.length, 3);
  });

  test('aggregates below a split join are computed at the edge and combined exactly', async () => {
    const client = cluster.client({ token: admin });
    const shapes = (crm: string) => [
      // Customers without events are null-extended: no partial, count 0, count(*) 1.
      `SELECT c.segment, count(w.event_id) AS events, count(*) AS n, sum(w.duration_ms) AS ms,
              min(w.event_ts) AS first_seen, max(w.page) AS last_page
         FROM lake.main.customers c LEFT JOIN ${crm}.main.web_events w ON w.customer_id = c.customer_id
        GROUP BY c.segment ORDER BY c.segment`,
      // Anonymous events have a NULL key: one group at the edge, null-extended at the coordinator.
      `SELECT c.region, count(*) AS n, count(w.customer_id) AS known, sum(w.duration_ms) AS ms
         FROM lake.main.customers c FULL JOIN ${crm}.main.web_events w ON w.customer_id = c.customer_id
        GROUP BY c.region ORDER BY c.region NULLS FIRST`,
      // INTEGER, DECIMAL and DOUBLE sums over a join of two tables at their edge.
      `SELECT c.region, sum(i.quantity) AS units, sum(i.quantity * i.unit_price) AS revenue,
              round(sum(o.discount), 6) AS discounts, count(o.discount) AS discounted, min(o.order_ts) AS first_order
         FROM lake.main.customers c JOIN ${crm}.main.orders o ON o.customer_id = c.customer_id
         JOIN ${crm}.main.order_items i ON i.order_id = o.order_id
        WHERE o.status <> 'cancelled' GROUP BY c.region HAVING count(*) > 10 ORDER BY units DESC`,
      // No GROUP BY and no row: count(*) and count are 0, sum is NULL.
      `SELECT count(*) AS n, count(o.discount) AS discounted, sum(o.total_amount) AS total
         FROM lake.main.customers c JOIN ${crm}.main.orders o ON o.customer_id = c.customer_id
        WHERE c.customer_id < 0`,
    ];
    const split = shapes('crm');
    const whole = shapes('lake');
    for (let i = 0; i < split.length; i++) {
      const sql = split[i] as string;
      const plan = (await client.validate(sql)).plan;
      assert.ok(
        plan?.fragments.some(
          (f) => /GROUP BY/.test(f.sql) && f.columns.some((c) => c.startsWith('partial.')),
        ),
        `aggregated at an edge: ${sql}`,
      );
      const [a, b] = [await client.query(sql).toTable(), await client.query(whole[i] as string).toTable()];
      assert.deepEqual(
        a.schema.fields.map((f) => `${f.name} ${f.type}`),
        b.schema.fields.map((f) => `${f.name} ${f.type}`),
        sql,
      );
      assert.ok(a.numRows > 0, sql);
      assert.deepEqual(a.toArray().map(String), b.toArray().map(String), sql);
    }
  });

  test('sizes measured for one query plan the next: its fragments are not counted again', async () => {
    const client = cluster.client({ token: admin });
    const sql = `SELECT c.customer_id, o.order_id FROM lake.main.customers c
                   JOIN crm.main.orders o ON o.customer_id = c.customer_id
                  WHERE o.total_amount > $1 ORDER BY o.order_id`;
    const edgeQueries = (kind: RegExp) =>
      [...cluster.edges.values()]
        .flatMap((edge) => edge.recentLogs())
        .filter((line) => line.msg === 'query finished' && kind.test(String(line.queryId))).length;
    const counts = () => edgeQueries(/\.count\./);
    const fragments = () => edgeQueries(/\.\d+$/);
    const counted = counts();
    const first = await client.query(sql, { params: [500] }).toArray();
    const measured = counts() - counted;
    assert.ok(measured > 0, 'the first plan counts its linked fragments');
    const ran = fragments();
    const again = await client.query(sql, { params: [500] }).toArray();
    assert.ok(fragments() > ran, 'the second query ran its fragments again');
    assert.equal(counts() - counted, measured, 'without counting them');
    assert.deepEqual(again, first);
    await client.query(sql, { params: [700] }).toArray();
    assert.ok(counts() - counted > measured, 'another value is another fragment, counted anew');
  });
});
