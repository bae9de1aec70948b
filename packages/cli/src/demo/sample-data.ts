/**
 * Deterministic retail sample data for the one-command demo and for tests.
 *
 * Everything is generated inside one in-memory DuckDB instance. Randomness comes from
 * hashing each row key with a per-column salt rather than from a seeded generator, so every
 * value depends only on its row key: results do not depend on thread scheduling or on the
 * order in which DuckDB evaluates rows.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export interface SampleDataOptions {
  /** Directory owned by the generator; its previous contents are replaced when regenerating. */
  dir: string;
  /** 1 = default demo size (~430k rows in total); row counts scale linearly. */
  scale?: number;
}

export interface SampleDataTable {
  source: 'lake' | 'warehouse';
  /** Schema the table is exposed under (`main` for every file of the files source). */
  schema: string;
  table: string;
  rows: number;
  /** Absolute path of the file holding the table (the DuckDB file for warehouse tables). */
  file: string;
}

export interface SampleDataLayout {
  /** Directory of Parquet (and one CSV + one NDJSON) files: a "files" source. */
  filesDir: string;
  /** A DuckDB database file: a "duckdb" source. */
  duckdbFile: string;
  tables: SampleDataTable[];
}

/** Bump whenever the generated data changes, so existing data sets get regenerated. */
export const SAMPLE_DATA_VERSION = 1;

const MANIFEST_FILE = 'manifest.json';
const FILES_DIR = 'lake';
const DUCKDB_FILE = 'warehouse.duckdb';

/** The demo's "now": all timestamps fall before it, so the data does not age with the wall clock. */
const DATA_END = '2025-07-01 00:00:00';
const DATA_END_EPOCH_S = Date.parse(`${DATA_END.replace(' ', 'T')}Z`) / 1000;

const BASE_ROWS = {
  customers: 10_000,
  orders: 100_000,
  webEvents: 20_000,
  supportTickets: 2_000,
  products: 1_000,
  stores: 50,
  stockLevels: 20_000,
} as const;

type Sizes = Record<keyof typeof BASE_ROWS, number>;

interface ManifestTable {
  source: 'lake' | 'warehouse';
  schema: string;
  table: string;
  rows: number;
  /** Relative to the data set directory, so the set stays valid after the temp-dir rename. */
  file: string;
}

interface Manifest {
  version: number;
  scale: number;
  /** hash() is only stable within a DuckDB version, so a different engine means different data. */
  duckdbVersion: string;
  generatedAt: string;
  files: Record<string, number>;
  tables: ManifestTable[];
}

export async function generateSampleData(options: SampleDataOptions): Promise<SampleDataLayout> {
  const scale = options.scale ?? 1;
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new RangeError(`sample data scale must be a positive number, got ${scale}`);
  }
  const dir = resolve(options.dir);
  const duckdbVersion = await engineVersion();

  const existing = await readCompleteDataSet(dir, scale, duckdbVersion);
  if (existing) return existing;

  await mkdir(dirname(dir), { recursive: true });
  await removeAbandonedSiblings(dir);

  const tmp = siblingPath(dir, 'partial');
  await mkdir(tmp);
  try {
    const manifest = await buildDataSet(tmp, scale, duckdbVersion);
    // Written last: its presence is what marks a data set as complete.
    await writeFile(join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);

    // Another process may have finished the same data set while we were generating.
    const raced = await readCompleteDataSet(dir, scale, duckdbVersion);
    if (raced) return raced;

    try {
      await swapInto(tmp, dir);
    } catch (err) {
      // A concurrent call swapped its own copy in between our check and our rename.
      const code = (err as NodeJS.ErrnoException).code;
      const settled =
        code === 'ENOTEMPTY' || code === 'EEXIST'
          ? await readCompleteDataSet(dir, scale, duckdbVersion)
          : undefined;
      if (settled) return settled;
      throw err;
    }
    return layoutFor(dir, manifest);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function sizesFor(scale: number): Sizes {
  const n = (base: number) => Math.max(1, Math.round(base * scale));
  const products = n(BASE_ROWS.products);
  const stores = n(BASE_ROWS.stores);
  return {
    customers: n(BASE_ROWS.customers),
    orders: n(BASE_ROWS.orders),
    webEvents: n(BASE_ROWS.webEvents),
    supportTickets: n(BASE_ROWS.supportTickets),
    products,
    stores,
    // Store × product pairs grow quadratically with scale, so small scales run out of distinct pairs.
    stockLevels: Math.min(n(BASE_ROWS.stockLevels), products * stores),
  };
}

async function engineVersion(): Promise<string> {
  return withConnection(async (conn) => {
    const reader = await conn.runAndReadAll('SELECT version() AS v');
    return String(reader.getRowObjectsJson()[0]?.v ?? 'unknown');
  });
}

async function withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const conn = await instance.connect();
    try {
      return await fn(conn);
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

async function readCompleteDataSet(
  dir: string,
  scale: number,
  duckdbVersion: string,
): Promise<SampleDataLayout | undefined> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  if (
    manifest.version !== SAMPLE_DATA_VERSION ||
    manifest.scale !== scale ||
    manifest.duckdbVersion !== duckdbVersion ||
    typeof manifest.files !== 'object' ||
    manifest.files === null ||
    !Array.isArray(manifest.tables)
  ) {
    return undefined;
  }
  // Sizes catch files truncated or replaced after the manifest was written.
  for (const [file, bytes] of Object.entries(manifest.files)) {
    try {
      if ((await stat(join(dir, file))).size !== bytes) return undefined;
    } catch {
      return undefined;
    }
  }
  return layoutFor(dir, manifest);
}

function layoutFor(dir: string, manifest: Manifest): SampleDataLayout {
  return {
    filesDir: join(dir, FILES_DIR),
    duckdbFile: join(dir, DUCKDB_FILE),
    tables: manifest.tables.map((t) => ({ ...t, file: join(dir, t.file) })),
  };
}

function siblingPath(dir: string, kind: 'partial' | 'stale'): string {
  return join(dirname(dir), `.${basename(dir)}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Leftovers of killed runs would otherwise accumulate next to the data set forever. */
async function removeAbandonedSiblings(dir: string): Promise<void> {
  const prefix = `.${basename(dir)}.`;
  const pattern = /^(?:partial|stale)-(\d+)-[0-9a-f]+$/;
  let entries: string[];
  try {
    entries = await readdir(dirname(dir));
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const match = pattern.exec(entry.slice(prefix.length));
    if (!match || isAlive(Number(match[1]))) continue;
    await rm(join(dirname(dir), entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** rename() cannot replace a non-empty directory, so an old data set is moved aside first. */
async function swapInto(tmp: string, dir: string): Promise<void> {
  const stale = siblingPath(dir, 'stale');
  let movedAside = false;
  try {
    await rename(dir, stale);
    movedAside = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await rename(tmp, dir);
  if (movedAside) await rm(stale, { recursive: true, force: true });
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
const sqlList = (items: readonly string[]) => `[${items.map(sqlString).join(', ')}]`;

// Weights approximate a Western-heavy online retailer; regions are fixed per country so that
// grouping by region and by country always agree.
const COUNTRIES: readonly [country: string, region: 'AMER' | 'EMEA' | 'APAC', weight: number][] = [
  ['US', 'AMER', 28],
  ['CA', 'AMER', 6],
  ['MX', 'AMER', 5],
  ['BR', 'AMER', 7],
  ['GB', 'EMEA', 10],
  ['DE', 'EMEA', 10],
  ['FR', 'EMEA', 8],
  ['NL', 'EMEA', 4],
  ['ES', 'EMEA', 5],
  ['JP', 'APAC', 7],
  ['AU', 'APAC', 5],
  ['IN', 'APAC', 5],
];

// biome-ignore format: compact word list
const FIRST_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Sofia', 'Lucas', 'Mia', 'Leon', 'Hannah', 'Mateo',
  'Yuki', 'Haruto', 'Aarav', 'Priya', 'Chloé', 'Jack', 'Amelia', 'Oliver', 'Isabella', 'Ethan',
  'Camille', 'Hugo', 'Lena', 'Finn', 'Ana', 'Diego', 'Sara', 'Luca', 'Aiko', 'Ravi',
] as const;

// biome-ignore format: compact word list
const LAST_NAMES = [
  'Smith', 'Johnson', 'Garcia', 'Müller', 'Schmidt', 'Martin', 'Bernard', 'Rossi', 'Silva', 'Santos',
  'Tanaka', 'Suzuki', 'Sato', 'Patel', 'Sharma', 'Brown', 'Wilson', 'Taylor', 'Nguyen', 'Kim',
  'Lopez', 'Martínez', 'Dubois', 'de Vries', 'Jansen', 'Andersson', 'Novak', 'Kowalski', 'Fischer', 'Walker',
] as const;

const CATEGORIES: readonly [name: string, skuPrefix: string, nouns: readonly string[]][] = [
  ['Apparel', 'APP', ['T-Shirt', 'Hoodie', 'Jacket', 'Jeans', 'Sweater']],
  ['Footwear', 'FTW', ['Sneaker', 'Boot', 'Sandal', 'Runner', 'Loafer']],
  ['Outdoor', 'OUT', ['Tent', 'Backpack', 'Sleeping Bag', 'Headlamp', 'Water Bottle']],
  ['Home', 'HOM', ['Lamp', 'Throw Blanket', 'Cushion', 'Rug', 'Wall Clock']],
  ['Kitchen', 'KIT', ['Chef Knife', 'Skillet', 'Kettle', 'Cutting Board', 'Coffee Grinder']],
  ['Electronics', 'ELC', ['Headphones', 'Speaker', 'Charger', 'Smartwatch', 'Keyboard']],
  ['Beauty', 'BTY', ['Face Cream', 'Shampoo', 'Perfume', 'Lip Balm', 'Serum']],
  ['Toys', 'TOY', ['Puzzle', 'Building Set', 'Plush Bear', 'Board Game', 'RC Car']],
];

// biome-ignore format: compact word list
const ADJECTIVES = [
  'Classic', 'Urban', 'Trail', 'Everyday', 'Premium', 'Compact', 'Pro', 'Eco', 'Vintage', 'Lite', 'Nordic', 'Studio',
] as const;

const COLORS = ['Black', 'White', 'Navy', 'Olive', 'Sand', 'Red', 'Grey', 'Teal', 'Rust', 'Blue'] as const;

// biome-ignore format: compact word list
const BRANDS = [
  'Northwind', 'Bluefin', 'Cascade', 'Fernway', 'Kestrel', 'Lumen & Co', 'Marlow', 'Oakridge', 'Pinecrest', 'Quillon',
  'Redwood Supply', 'Solace',
] as const;

// Every store city lies in a customer country, so store and customer geography line up.
// biome-ignore format: compact word list
const CITIES: readonly [city: string, country: string][] = [
  ['New York', 'US'], ['London', 'GB'], ['Berlin', 'DE'], ['Paris', 'FR'], ['Tokyo', 'JP'],
  ['Toronto', 'CA'], ['São Paulo', 'BR'], ['Sydney', 'AU'], ['Mumbai', 'IN'], ['Madrid', 'ES'],
  ['Amsterdam', 'NL'], ['Mexico City', 'MX'], ['Chicago', 'US'], ['Manchester', 'GB'], ['Munich', 'DE'],
  ['Lyon', 'FR'], ['Osaka', 'JP'], ['Vancouver', 'CA'], ['Melbourne', 'AU'], ['Bengaluru', 'IN'],
  ['Barcelona', 'ES'], ['Rio de Janeiro', 'BR'], ['Los Angeles', 'US'], ['Hamburg', 'DE'], ['Austin', 'US'],
];

const SUBJECTS = [
  'Where is my order #{order}?',
  'Refund request for order #{order}',
  'Item damaged on arrival (order #{order})',
  'Wrong size delivered (order #{order})',
  'Question about the invoice for order #{order}',
  'Cannot log in to my account',
  'Please update my shipping address',
  'Promo code was not applied',
] as const;

type Weighted = readonly (readonly [value: string, weight: number])[];

const SEGMENTS: Weighted = [
  ['consumer', 6],
  ['small_business', 3],
  ['enterprise', 1],
];
const CHANNELS: Weighted = [
  ['web', 5],
  ['mobile', 3],
  ['store', 2],
  ['marketplace', 1],
];
const PAGES: Weighted = [
  ['/', 6],
  ['/search', 4],
  ['/product', 8],
  ['/cart', 3],
  ['/checkout', 2],
  ['/account', 2],
  ['/help', 1],
];
const PRIORITIES: Weighted = [
  ['low', 3],
  ['normal', 5],
  ['high', 2],
  ['urgent', 1],
];

/** Picks by weight without a range join: a list holding each value `weight` times. */
const weightedList = (pairs: Weighted) =>
  sqlList(pairs.flatMap(([value, weight]) => Array.from({ length: weight }, () => value)));

function generationSql(outDir: string, s: Sizes): string[] {
  const lake = (file: string) => sqlString(join(outDir, FILES_DIR, file));
  const parquet = '(FORMAT parquet, COMPRESSION zstd)';
  const strideFor = (n: number) => [7919, 104_729, 1_299_709].find((p) => n % p !== 0) ?? 1;
  // Maps a skewed rank in [0, 1) to an id through a fixed permutation, so the busiest customers
  // and best-selling products are spread over the id range instead of being ids 1, 2, 3, ...
  const skewedId = (r: string, exponent: number, n: number) =>
    `((floor(pow(${r}, ${exponent}) * ${n})::BIGINT * ${strideFor(n)} + ${Math.floor(n / 3)}) % ${n} + 1)`;
  const productNames = `[${CATEGORIES.map(([, , nouns]) => sqlList(nouns)).join(', ')}]`;
  const cities = `[${CITIES.map(([city, country]) => `{'city': ${sqlString(city)}, 'country': ${sqlString(country)}}`).join(', ')}]`;

  return [
    "SET TimeZone = 'UTC'",
    // Not hash(k, salt): multi-argument hashes of one key under different salts are strongly
    // correlated (first and last names would pair up). XOR-ing the salt in and hashing once
    // gives independent streams. 53 bits keep the double exact, so rnd() stays strictly below 1.
    'CREATE MACRO rnd(k, salt) AS (hash(xor(k::UBIGINT, hash(salt))) >> 11)::DOUBLE / 9007199254740992.0',
    'CREATE MACRO pick(xs, r) AS xs[1 + floor(r * len(xs))::BIGINT]',

    `CREATE TABLE countries AS
      SELECT * FROM (VALUES ${COUNTRIES.map(([c, r]) => `(${sqlString(c)}, ${sqlString(r)})`).join(', ')}) t(country, region)`,

    `CREATE TABLE customers_base AS
      WITH b AS (
        SELECT i AS customer_id,
          pick(${sqlList(FIRST_NAMES)}, rnd(i, 'first')) AS first_name,
          pick(${sqlList(LAST_NAMES)}, rnd(i, 'last')) AS last_name,
          pick(${weightedList(COUNTRIES.map(([c, , w]) => [c, w]))}, rnd(i, 'country')) AS country
        FROM range(1, ${s.customers + 1}) r(i)
      )
      SELECT b.customer_id,
        b.first_name || ' ' || b.last_name AS name,
        CASE WHEN rnd(b.customer_id, 'email_null') < 0.04 THEN NULL
          ELSE lower(regexp_replace(strip_accents(b.first_name || '.' || b.last_name), '[^A-Za-z.]', '', 'g'))
            || b.customer_id || '@' || pick(['example.com', 'example.org', 'example.net'], rnd(b.customer_id, 'domain'))
        END AS email,
        b.country,
        c.region,
        CASE WHEN rnd(b.customer_id, 'segment_null') < 0.03 THEN NULL
          ELSE pick(${weightedList(SEGMENTS)}, rnd(b.customer_id, 'segment'))
        END AS segment,
        DATE '2021-01-01' + floor(rnd(b.customer_id, 'signup') * 1461)::INTEGER AS signup_date
      FROM b JOIN countries c ON c.country = b.country`,

    `CREATE TABLE products AS
      WITH b AS (
        SELECT i AS product_id,
          1 + floor(rnd(i, 'category') * ${CATEGORIES.length})::INTEGER AS ci,
          round(exp(ln(3) + rnd(i, 'cost') * ln(100)), 2) AS cost
        FROM range(1, ${s.products + 1}) r(i)
      )
      SELECT product_id::BIGINT AS product_id,
        ${sqlList(CATEGORIES.map(([, prefix]) => prefix))}[ci] || '-' || lpad(product_id::VARCHAR, 6, '0') AS sku,
        pick(${sqlList(ADJECTIVES)}, rnd(product_id, 'adjective')) || ' '
          || pick(${productNames}[ci], rnd(product_id, 'noun')) || ' - '
          || pick(${sqlList(COLORS)}, rnd(product_id, 'color')) AS name,
        ${sqlList(CATEGORIES.map(([name]) => name))}[ci] AS category,
        pick(${sqlList(BRANDS)}, rnd(product_id, 'brand')) AS brand,
        cost::DECIMAL(10, 2) AS unit_cost,
        -- Retail-style .99 prices with a 40-150% markup.
        (round(cost * (1.4 + rnd(product_id, 'markup') * 1.1)) - 0.01)::DECIMAL(10, 2) AS list_price,
        DATE '2015-01-01' + floor(rnd(product_id, 'launch') * 3650)::INTEGER AS launched_on,
        rnd(product_id, 'discontinued') < 0.08 AS discontinued
      FROM b`,

    `CREATE TABLE stores AS
      WITH b AS (SELECT i, ${cities}[1 + (i - 1) % ${CITIES.length}] AS c FROM range(1, ${s.stores + 1}) r(i))
      SELECT i::BIGINT AS store_id,
        'Tributary ' || c.city || CASE WHEN (i - 1) // ${CITIES.length} > 0
          THEN ' #' || ((i - 1) // ${CITIES.length} + 1) ELSE '' END AS name,
        c.city AS city,
        c.country AS country,
        DATE '2008-01-01' + floor(rnd(i, 'opened') * 5800)::INTEGER AS opened_on,
        (30 + floor(rnd(i, 'size') * 370))::INTEGER * 10 AS square_meters
      FROM b`,

    // Each store gets a rotated, strided slice of the catalogue: (store, product) stays unique
    // without generating and sampling all store × product pairs.
    `CREATE TABLE stock_levels AS
      WITH b AS (SELECT k, k % ${s.stores} + 1 AS store_id, k // ${s.stores} AS slot FROM range(0, ${s.stockLevels}) r(k))
      SELECT store_id::BIGINT AS store_id,
        ((slot * ${strideFor(s.products)} + (store_id - 1) * 97) % ${s.products} + 1)::BIGINT AS product_id,
        (CASE WHEN rnd(k, 'out_of_stock') < 0.05 THEN 0 ELSE 1 + floor(pow(rnd(k, 'on_hand'), 2) * 240) END)::INTEGER
          AS on_hand,
        to_timestamp(${DATA_END_EPOCH_S} - floor(1 + rnd(k, 'updated') * 30 * 86400)) AS updated_at
      FROM b`,

    // Ids are assigned in timestamp order, as a real order system would, so files sorted by id
    // are also sorted by time.
    `CREATE TABLE orders_base AS
      WITH b AS (
        SELECT i AS seq, ${skewedId("rnd(i, 'customer')", 1.3, s.customers)} AS customer_id
        FROM range(1, ${s.orders + 1}) r(i)
      ), t AS (
        SELECT b.seq, b.customer_id,
          c.signup_date::TIMESTAMP + to_seconds(floor(rnd(b.seq, 'ts')
            * date_diff('second', c.signup_date::TIMESTAMP, TIMESTAMP '${DATA_END}'))::BIGINT) AS order_ts
        FROM b JOIN customers_base c ON c.customer_id = b.customer_id
      )
      SELECT row_number() OVER (ORDER BY order_ts, seq) AS order_id, customer_id, order_ts,
        CASE
          WHEN order_ts >= TIMESTAMP '${DATA_END}' - INTERVAL 2 DAY
            THEN CASE WHEN rnd(seq, 'status') < 0.05 THEN 'cancelled' ELSE 'placed' END
          WHEN order_ts >= TIMESTAMP '${DATA_END}' - INTERVAL 7 DAY
            THEN CASE WHEN rnd(seq, 'status') < 0.04 THEN 'cancelled' ELSE 'shipped' END
          ELSE CASE WHEN rnd(seq, 'status') < 0.03 THEN 'cancelled'
            WHEN rnd(seq, 'status') < 0.09 THEN 'returned' ELSE 'delivered' END
        END AS status,
        pick(${weightedList(CHANNELS)}, rnd(seq, 'channel'))
          AS channel,
        CASE WHEN rnd(seq, 'promo') < 0.7 THEN NULL
          ELSE pick([0.05, 0.1, 0.15, 0.2, 0.25], rnd(seq, 'discount')) END::DOUBLE AS discount
      FROM t`,

    // A squared skew makes some products best sellers.
    `CREATE TABLE order_items AS
      WITH l AS (
        SELECT order_id, unnest(generate_series(1, 1 + floor(rnd(order_id, 'lines') * 5)::INTEGER)) AS line_no
        FROM orders_base
      ), k AS (
        SELECT order_id, line_no, order_id * 8 + line_no AS k FROM l
      ), j AS (
        SELECT order_id, line_no, k, ${skewedId("rnd(k, 'product')", 2, s.products)} AS product_id FROM k
      )
      SELECT j.order_id, j.line_no::INTEGER AS line_no, j.product_id,
        (1 + floor(pow(rnd(j.k, 'quantity'), 3) * 5))::INTEGER AS quantity,
        round(p.list_price * CASE WHEN rnd(j.k, 'markdown') < 0.7 THEN 1.0
          ELSE 1 - pick([0.05, 0.1, 0.15, 0.2, 0.3], rnd(j.k, 'markdown_pct')) END, 2)::DECIMAL(10, 2) AS unit_price
      FROM j JOIN products p ON p.product_id = j.product_id`,

    `CREATE TABLE orders AS
      SELECT o.order_id, o.customer_id, o.order_ts, o.status, o.channel,
        round(coalesce(i.subtotal, 0) * (1 - coalesce(o.discount, 0)), 2)::DECIMAL(12, 2) AS total_amount,
        o.discount
      FROM orders_base o
      LEFT JOIN (SELECT order_id, sum(quantity * unit_price) AS subtotal FROM order_items GROUP BY order_id) i
        ON i.order_id = o.order_id`,

    `CREATE TABLE customers AS
      SELECT c.customer_id, c.name, c.email, c.country, c.region, c.segment, c.signup_date,
        coalesce(v.spent, 0)::DECIMAL(12, 2) AS lifetime_value
      FROM customers_base c
      LEFT JOIN (
        SELECT customer_id, sum(total_amount) AS spent FROM orders
        WHERE status NOT IN ('cancelled', 'returned') GROUP BY customer_id
      ) v ON v.customer_id = c.customer_id`,

    // Web events are all from 2025 while every signup is earlier, so no event predates its customer.
    `CREATE TABLE web_events AS
      WITH b AS (
        SELECT i AS seq,
          CASE WHEN rnd(i, 'anonymous') < 0.12 THEN NULL
            ELSE 1 + floor(rnd(i, 'customer') * ${s.customers})::BIGINT END AS customer_id,
          TIMESTAMP '2025-01-01' + to_seconds(floor(rnd(i, 'ts')
            * date_diff('second', TIMESTAMP '2025-01-01', TIMESTAMP '${DATA_END}'))::BIGINT) AS event_ts
        FROM range(1, ${s.webEvents + 1}) r(i)
      )
      SELECT row_number() OVER (ORDER BY event_ts, seq) AS event_id, customer_id, event_ts,
        pick(${weightedList(PAGES)}, rnd(seq, 'page')) AS page,
        round(exp(ln(200) + rnd(seq, 'duration') * ln(300)))::INTEGER AS duration_ms
      FROM b`,

    // Tickets refer to a real order of the same customer and open shortly after it.
    `CREATE TABLE support_tickets AS
      WITH b AS (
        SELECT i AS seq, 1 + floor(rnd(i, 'order') * ${s.orders})::BIGINT AS order_id
        FROM range(1, ${s.supportTickets + 1}) r(i)
      ), t AS (
        SELECT b.seq, o.order_id, o.customer_id,
          o.order_ts + to_seconds(floor(rnd(b.seq, 'delay')
            * least(14 * 86400, date_diff('second', o.order_ts, TIMESTAMP '${DATA_END}')))::BIGINT) AS opened_at
        FROM b JOIN orders o ON o.order_id = b.order_id
      )
      SELECT row_number() OVER (ORDER BY opened_at, seq) AS ticket_id, customer_id, opened_at,
        pick(${weightedList(PRIORITIES)}, rnd(seq, 'priority')) AS priority,
        replace(pick(${sqlList(SUBJECTS)}, rnd(seq, 'subject')), '{order}', order_id::VARCHAR) AS subject,
        opened_at < TIMESTAMP '${DATA_END}' - INTERVAL 3 DAY AND rnd(seq, 'resolved') < 0.93 AS resolved
      FROM t`,

    `COPY (SELECT * FROM customers ORDER BY customer_id) TO ${lake('customers.parquet')} ${parquet}`,
    `COPY (SELECT * FROM orders ORDER BY order_id) TO ${lake('orders.parquet')} ${parquet}`,
    `COPY (SELECT * FROM order_items ORDER BY order_id, line_no) TO ${lake('order_items.parquet')} ${parquet}`,
    `COPY (SELECT * FROM web_events ORDER BY event_id) TO ${lake('web_events.csv')} (FORMAT csv, HEADER true)`,
    `COPY (SELECT * FROM support_tickets ORDER BY ticket_id) TO ${lake('support_tickets.ndjson')} (FORMAT json)`,

    `ATTACH ${sqlString(join(outDir, DUCKDB_FILE))} AS warehouse`,
    `CREATE TABLE warehouse.main.products (
      product_id BIGINT PRIMARY KEY,
      sku VARCHAR NOT NULL,
      name VARCHAR NOT NULL,
      category VARCHAR NOT NULL,
      brand VARCHAR NOT NULL,
      unit_cost DECIMAL(10, 2) NOT NULL,
      list_price DECIMAL(10, 2) NOT NULL,
      launched_on DATE NOT NULL,
      discontinued BOOLEAN NOT NULL
    )`,
    'INSERT INTO warehouse.main.products SELECT * FROM products ORDER BY product_id',
    `CREATE TABLE warehouse.main.stores (
      store_id BIGINT PRIMARY KEY,
      name VARCHAR NOT NULL,
      city VARCHAR NOT NULL,
      country VARCHAR NOT NULL,
      opened_on DATE NOT NULL,
      square_meters INTEGER NOT NULL
    )`,
    'INSERT INTO warehouse.main.stores SELECT * FROM stores ORDER BY store_id',
    'CREATE SCHEMA warehouse.inventory',
    `CREATE TABLE warehouse.inventory.stock_levels (
      store_id BIGINT NOT NULL,
      product_id BIGINT NOT NULL,
      on_hand INTEGER NOT NULL,
      updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
      PRIMARY KEY (store_id, product_id)
    )`,
    'INSERT INTO warehouse.inventory.stock_levels SELECT * FROM stock_levels ORDER BY store_id, product_id',
    "COMMENT ON TABLE warehouse.main.products IS 'Product catalogue (demo data)'",
    "COMMENT ON TABLE warehouse.main.stores IS 'Physical stores (demo data)'",
    "COMMENT ON TABLE warehouse.inventory.stock_levels IS 'Units on hand per store and product (demo data)'",
    // Detaching checkpoints, so the file is self-contained without a .wal next to it.
    'DETACH warehouse',
  ];
}

async function buildDataSet(outDir: string, scale: number, duckdbVersion: string): Promise<Manifest> {
  const sizes = sizesFor(scale);
  await mkdir(join(outDir, FILES_DIR), { recursive: true });

  return withConnection(async (conn) => {
    for (const sql of generationSql(outDir, sizes)) await conn.run(sql);

    const count = async (table: string) => {
      const reader = await conn.runAndReadAll(`SELECT count(*) AS n FROM ${table}`);
      return Number(reader.getRowObjectsJS()[0]?.n ?? 0);
    };
    const lakeTable = async (table: string, ext: string): Promise<ManifestTable> => ({
      source: 'lake',
      schema: 'main',
      table,
      rows: await count(table),
      file: join(FILES_DIR, `${table}.${ext}`),
    });
    const warehouseTable = async (schema: string, table: string): Promise<ManifestTable> => ({
      source: 'warehouse',
      schema,
      table,
      rows: await count(table),
      file: DUCKDB_FILE,
    });
    const tables = [
      await lakeTable('customers', 'parquet'),
      await lakeTable('orders', 'parquet'),
      await lakeTable('order_items', 'parquet'),
      await lakeTable('web_events', 'csv'),
      await lakeTable('support_tickets', 'ndjson'),
      await warehouseTable('main', 'products'),
      await warehouseTable('main', 'stores'),
      await warehouseTable('inventory', 'stock_levels'),
    ];

    const files: Record<string, number> = {};
    for (const file of new Set(tables.map((t) => t.file))) {
      files[file] = (await stat(join(outDir, file))).size;
    }
    return {
      version: SAMPLE_DATA_VERSION,
      scale,
      duckdbVersion,
      generatedAt: new Date().toISOString(),
      files,
      tables,
    };
  });
}

/**
 * Example queries for the demo. Each stays within one source because a query may not yet
 * join tables of different sources.
 */
export function sampleQueries(): { title: string; sql: string }[] {
  return [
    {
      title: 'Revenue by region (lake: orders ⋈ customers)',
      sql: `SELECT c.region,
       count(*) AS orders,
       sum(o.total_amount) AS revenue,
       round(avg(o.total_amount), 2) AS avg_order_value
FROM lake.main.orders AS o
JOIN lake.main.customers AS c ON c.customer_id = o.customer_id
WHERE o.status IN ('shipped', 'delivered')
GROUP BY c.region
ORDER BY revenue DESC`,
    },
    {
      title: 'Monthly revenue by channel in 2025 (lake: orders)',
      sql: `SELECT date_trunc('month', order_ts) AS month,
       channel,
       count(*) AS orders,
       sum(total_amount) AS revenue
FROM lake.main.orders
WHERE order_ts >= TIMESTAMP '2025-01-01' AND status <> 'cancelled'
GROUP BY date_trunc('month', order_ts), channel
ORDER BY month, channel`,
    },
    {
      title: 'Top 10 customers by lifetime value (lake: customers ⋈ orders)',
      sql: `SELECT c.customer_id,
       c.name,
       c.country,
       c.segment,
       count(o.order_id) AS orders,
       c.lifetime_value
FROM lake.main.customers AS c
JOIN lake.main.orders AS o ON o.customer_id = c.customer_id
GROUP BY c.customer_id, c.name, c.country, c.segment, c.lifetime_value
ORDER BY c.lifetime_value DESC, c.customer_id
LIMIT 10`,
    },
    {
      title: 'Open support tickets by priority and segment (lake: NDJSON ⋈ Parquet)',
      sql: `SELECT t.priority,
       coalesce(c.segment, 'unknown') AS segment,
       count(*) AS tickets,
       sum(CASE WHEN t.resolved THEN 0 ELSE 1 END) AS open_tickets
FROM lake.main.support_tickets AS t
JOIN lake.main.customers AS c ON c.customer_id = t.customer_id
GROUP BY t.priority, coalesce(c.segment, 'unknown')
ORDER BY open_tickets DESC, tickets DESC`,
    },
    {
      title: 'Web traffic by page (lake: CSV)',
      sql: `SELECT page,
       count(*) AS views,
       count(DISTINCT customer_id) AS known_visitors,
       round(avg(duration_ms) / 1000.0, 1) AS avg_seconds
FROM lake.main.web_events
GROUP BY page
ORDER BY views DESC`,
    },
    {
      title: 'Low stock of active products by category (warehouse: stock_levels ⋈ products)',
      sql: `SELECT p.category,
       count(*) AS low_stock_positions,
       count(DISTINCT sl.store_id) AS stores_affected,
       sum(CASE WHEN sl.on_hand = 0 THEN 1 ELSE 0 END) AS out_of_stock
FROM warehouse.inventory.stock_levels AS sl
JOIN warehouse.main.products AS p ON p.product_id = sl.product_id
WHERE sl.on_hand < 10 AND NOT p.discontinued
GROUP BY p.category
ORDER BY low_stock_positions DESC`,
    },
    {
      title: 'Inventory value and margin by store country (warehouse: stores ⋈ stock_levels ⋈ products)',
      sql: `SELECT s.country,
       count(DISTINCT s.store_id) AS stores,
       sum(sl.on_hand) AS units,
       sum(sl.on_hand * p.unit_cost) AS inventory_cost,
       round(100 * (1 - sum(sl.on_hand * p.unit_cost) / sum(sl.on_hand * p.list_price)), 1) AS margin_pct
FROM warehouse.main.stores AS s
JOIN warehouse.inventory.stock_levels AS sl ON sl.store_id = s.store_id
JOIN warehouse.main.products AS p ON p.product_id = sl.product_id
GROUP BY s.country
ORDER BY inventory_cost DESC`,
    },
  ];
}
