import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { generateSampleData, type SampleDataLayout, sampleQueries } from './sample-data.js';

const SCALE = 0.05;

const sql = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * Mirrors what the edges will expose — each lake file as `lake.main.<file name>`, the DuckDB
 * file as `warehouse` — so sample queries can be checked without a running service.
 */
async function withCatalog<T>(
  layout: SampleDataLayout,
  fn: (conn: DuckDBConnection) => Promise<T>,
): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run("ATTACH ':memory:' AS lake");
    for (const t of layout.tables.filter((t) => t.source === 'lake')) {
      const reader = { '.parquet': 'read_parquet', '.csv': 'read_csv', '.ndjson': 'read_json' }[
        extname(t.file)
      ];
      assert.ok(reader, `no reader for ${t.file}`);
      await conn.run(`CREATE VIEW lake.main.${t.table} AS SELECT * FROM ${reader}(${sql(t.file)})`);
    }
    await conn.run(`ATTACH ${sql(layout.duckdbFile)} AS warehouse (READ_ONLY)`);
    return await fn(conn);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

async function rows(conn: DuckDBConnection, query: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(query)).getRowObjectsJson();
}

async function scalar(conn: DuckDBConnection, query: string): Promise<unknown> {
  const [row] = await rows(conn, query);
  assert.ok(row, `no row from ${query}`);
  return Object.values(row)[0];
}

const qualified = (t: SampleDataLayout['tables'][number]) => `${t.source}.${t.schema}.${t.table}`;

/** Order-independent digest of every table's content. */
async function fingerprints(layout: SampleDataLayout): Promise<Record<string, unknown>> {
  return withCatalog(layout, async (conn) => {
    const out: Record<string, unknown> = {};
    for (const t of layout.tables) {
      out[qualified(t)] = await scalar(
        conn,
        `SELECT count(*) || ':' || md5(string_agg(r::VARCHAR, chr(10) ORDER BY r::VARCHAR)) FROM ${qualified(t)} AS r`,
      );
    }
    return out;
  });
}

describe('generateSampleData', () => {
  let root: string;
  let layout: SampleDataLayout;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tributary-sample-data-'));
    layout = await generateSampleData({ dir: join(root, 'a'), scale: SCALE });
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('creates every table with the scaled row counts', async () => {
    const counts = Object.fromEntries(layout.tables.map((t) => [qualified(t), t.rows]));
    const orderItems = counts['lake.main.order_items'] ?? 0;
    assert.ok(orderItems >= 2 * 5000 && orderItems <= 4 * 5000, `order_items: ${orderItems}`);
    assert.deepEqual(
      { ...counts, 'lake.main.order_items': 0 },
      {
        'lake.main.customers': 500,
        'lake.main.orders': 5000,
        'lake.main.order_items': 0,
        'lake.main.web_events': 1000,
        'lake.main.support_tickets': 100,
        'warehouse.main.products': 50,
        'warehouse.main.stores': 3,
        // Only 3 stores × 50 products exist at this scale.
        'warehouse.inventory.stock_levels': 150,
      },
    );
    assert.deepEqual((await readdir(layout.filesDir)).sort(), [
      'customers.parquet',
      'order_items.parquet',
      'orders.parquet',
      'support_tickets.ndjson',
      'web_events.csv',
    ]);

    await withCatalog(layout, async (conn) => {
      for (const t of layout.tables) {
        assert.equal(
          Number(await scalar(conn, `SELECT count(*) FROM ${qualified(t)}`)),
          t.rows,
          qualified(t),
        );
      }
    });
  });

  test('writes the documented column types', async () => {
    await withCatalog(layout, async (conn) => {
      const types = async (table: string) =>
        Object.fromEntries(
          (await rows(conn, `DESCRIBE ${table}`)).map((r) => [r.column_name, r.column_type]),
        );
      assert.deepEqual(await types('lake.main.customers'), {
        customer_id: 'BIGINT',
        name: 'VARCHAR',
        email: 'VARCHAR',
        country: 'VARCHAR',
        region: 'VARCHAR',
        segment: 'VARCHAR',
        signup_date: 'DATE',
        lifetime_value: 'DECIMAL(12,2)',
      });
      assert.deepEqual(await types('lake.main.orders'), {
        order_id: 'BIGINT',
        customer_id: 'BIGINT',
        order_ts: 'TIMESTAMP',
        status: 'VARCHAR',
        channel: 'VARCHAR',
        total_amount: 'DECIMAL(12,2)',
        discount: 'DOUBLE',
      });
      assert.deepEqual(await types('lake.main.order_items'), {
        order_id: 'BIGINT',
        line_no: 'INTEGER',
        product_id: 'BIGINT',
        quantity: 'INTEGER',
        unit_price: 'DECIMAL(10,2)',
      });
      assert.equal((await types('lake.main.web_events')).event_ts, 'TIMESTAMP');
      assert.deepEqual(await types('lake.main.support_tickets'), {
        ticket_id: 'BIGINT',
        customer_id: 'BIGINT',
        opened_at: 'TIMESTAMP',
        priority: 'VARCHAR',
        subject: 'VARCHAR',
        resolved: 'BOOLEAN',
      });
      assert.equal((await types('warehouse.main.products')).list_price, 'DECIMAL(10,2)');
      assert.equal((await types('warehouse.main.stores')).opened_on, 'DATE');
      assert.equal((await types('warehouse.inventory.stock_levels')).updated_at, 'TIMESTAMP WITH TIME ZONE');
    });
  });

  test('keeps foreign keys valid and values plausible', async () => {
    await withCatalog(layout, async (conn) => {
      const zero = async (what: string, query: string) =>
        assert.equal(Number(await scalar(conn, query)), 0, what);
      await zero(
        'orders without customer',
        'SELECT count(*) FROM lake.main.orders o ANTI JOIN lake.main.customers c USING (customer_id)',
      );
      await zero(
        'items without order',
        'SELECT count(*) FROM lake.main.order_items i ANTI JOIN lake.main.orders o USING (order_id)',
      );
      await zero(
        'items without product',
        'SELECT count(*) FROM lake.main.order_items i ANTI JOIN warehouse.main.products p USING (product_id)',
      );
      await zero(
        'web events of unknown customers',
        `SELECT count(*) FROM lake.main.web_events e
         WHERE e.customer_id IS NOT NULL AND e.customer_id NOT IN (SELECT customer_id FROM lake.main.customers)`,
      );
      await zero(
        'tickets without customer',
        'SELECT count(*) FROM lake.main.support_tickets t ANTI JOIN lake.main.customers c USING (customer_id)',
      );
      await zero(
        'stock of unknown products',
        'SELECT count(*) FROM warehouse.inventory.stock_levels s ANTI JOIN warehouse.main.products p USING (product_id)',
      );
      await zero(
        'stock in unknown stores',
        'SELECT count(*) FROM warehouse.inventory.stock_levels s ANTI JOIN warehouse.main.stores t USING (store_id)',
      );
      await zero(
        'duplicate stock positions',
        'SELECT count(*) - count(DISTINCT (store_id, product_id)) FROM warehouse.inventory.stock_levels',
      );
      await zero(
        'countries in more than one region',
        `SELECT count(*) FROM (SELECT country FROM lake.main.customers GROUP BY country
         HAVING count(DISTINCT region) > 1)`,
      );
      await zero(
        'orders before signup',
        `SELECT count(*) FROM lake.main.orders o JOIN lake.main.customers c USING (customer_id)
         WHERE o.order_ts < c.signup_date`,
      );
      await zero(
        'prices below cost',
        'SELECT count(*) FROM warehouse.main.products WHERE list_price <= unit_cost',
      );

      const nulls = await rows(
        conn,
        `SELECT count(*) FILTER (WHERE email IS NULL) AS emails, count(*) FILTER (WHERE segment IS NULL) AS segments
         FROM lake.main.customers`,
      );
      assert.ok(Number(nulls[0]?.emails) > 0 && Number(nulls[0]?.emails) < 50, JSON.stringify(nulls));
      assert.ok(Number(nulls[0]?.segments) > 0 && Number(nulls[0]?.segments) < 50, JSON.stringify(nulls));
      assert.ok(
        Number(await scalar(conn, 'SELECT count(*) FROM lake.main.orders WHERE discount IS NULL')) > 0,
      );
      assert.deepEqual(
        (await rows(conn, 'SELECT DISTINCT status FROM lake.main.orders ORDER BY status')).map(
          (r) => r.status,
        ),
        ['cancelled', 'delivered', 'placed', 'returned', 'shipped'],
      );
    });
  });

  test('is deterministic', async () => {
    const again = await generateSampleData({ dir: join(root, 'b'), scale: SCALE });
    assert.deepEqual(await fingerprints(again), await fingerprints(layout));
    for (const file of ['web_events.csv', 'support_tickets.ndjson']) {
      assert.ok(
        (await readFile(join(again.filesDir, file))).equals(await readFile(join(layout.filesDir, file))),
        file,
      );
    }
  });

  test('reuses a complete data set without regenerating it', async () => {
    const manifest = join(root, 'a', 'manifest.json');
    const before = await stat(manifest);
    const again = await generateSampleData({ dir: join(root, 'a'), scale: SCALE });
    const afterwards = await stat(manifest);
    assert.deepEqual(again, layout);
    assert.equal(afterwards.mtimeMs, before.mtimeMs);
    assert.equal(afterwards.ino, before.ino);
  });

  test('regenerates a data set that is outdated, partial or of another scale', async () => {
    const dir = join(root, 'c');
    const manifest = join(dir, 'manifest.json');
    const first = await generateSampleData({ dir, scale: SCALE });
    const expected = await fingerprints(first);

    const outdated = JSON.parse(await readFile(manifest, 'utf8')) as { version: number };
    await writeFile(manifest, JSON.stringify({ ...outdated, version: outdated.version - 1 }));
    let previous = await stat(manifest);
    await generateSampleData({ dir, scale: SCALE });
    assert.notEqual((await stat(manifest)).ino, previous.ino, 'outdated manifest not regenerated');
    assert.deepEqual(await fingerprints(first), expected);

    await truncate(join(dir, 'lake', 'orders.parquet'), 100);
    previous = await stat(manifest);
    await generateSampleData({ dir, scale: SCALE });
    assert.notEqual((await stat(manifest)).ino, previous.ino, 'truncated file not regenerated');
    assert.deepEqual(await fingerprints(first), expected);

    const bigger = await generateSampleData({ dir, scale: SCALE * 2 });
    assert.equal(bigger.tables.find((t) => t.table === 'customers')?.rows, 1000);

    // Temp and stale directories live next to the data set and must not be left behind.
    assert.deepEqual((await readdir(root)).sort(), ['a', 'b', 'c']);
  });

  test('survives concurrent calls for the same directory', async () => {
    const dir = join(root, 'd');
    const [x, y] = await Promise.all([
      generateSampleData({ dir, scale: SCALE }),
      generateSampleData({ dir, scale: SCALE }),
    ]);
    assert.deepEqual(x, y);
    assert.deepEqual(await fingerprints(x), await fingerprints(layout));
    assert.deepEqual((await readdir(root)).sort(), ['a', 'b', 'c', 'd']);
  });

  test('rejects a scale that is not a positive number', async () => {
    for (const scale of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await assert.rejects(generateSampleData({ dir: join(root, 'never'), scale }), RangeError);
    }
  });
});

describe('sampleQueries', () => {
  let root: string;
  let layout: SampleDataLayout;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tributary-sample-queries-'));
    layout = await generateSampleData({ dir: join(root, 'data'), scale: SCALE });
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('every query stays within one source and returns rows', async () => {
    const queries = sampleQueries();
    assert.ok(queries.length >= 5);
    assert.equal(new Set(queries.map((q) => q.title)).size, queries.length, 'titles are unique');
    await withCatalog(layout, async (conn) => {
      for (const { title, sql: query } of queries) {
        const sources = new Set([...query.matchAll(/\b(lake|warehouse)\.\w+\.\w+/g)].map((m) => m[1]));
        assert.equal(sources.size, 1, `${title} must use exactly one source`);
        const result = await rows(conn, query);
        assert.ok(result.length > 0, `${title} returned no rows`);
      }
    });
  });
});
