// A small, deterministic TPC-H data generator: DuckDB SQL over range(),
// written as Parquet. It follows the specification's schema, key
// relationships and value domains (TPC-H 3.0.1, clause 4.2.3) closely
// enough that the 22 queries with their validation parameters return rows
// at scale factor 0.1 and above; text fields are drawn from the spec's word
// lists but not from its full grammar. Pseudo-random values come from
// hash(key, stream), so a scale factor always gives the same data on one
// DuckDB version. It is not dbgen: answers differ from the published ones.
//
// Two folders (`facts`: lineitem, orders, partsupp; `dims`: customer,
// supplier, part, nation, region) so each can be served by its own edge.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral } from '@tributary/core';

export const FACT_TABLES = ['lineitem', 'orders', 'partsupp'] as const;
export const DIMENSION_TABLES = ['customer', 'supplier', 'part', 'nation', 'region'] as const;
export type TpchTable = (typeof FACT_TABLES)[number] | (typeof DIMENSION_TABLES)[number];

export interface TpchData {
  factsDir: string;
  dimsDir: string;
  /** Each table's Parquet file. */
  files: Record<TpchTable, string>;
  rows: Record<TpchTable, number>;
}

const REGIONS = ['AFRICA', 'AMERICA', 'ASIA', 'EUROPE', 'MIDDLE EAST'];
const NATIONS: [string, number][] = [
  ['ALGERIA', 0],
  ['ARGENTINA', 1],
  ['BRAZIL', 1],
  ['CANADA', 1],
  ['EGYPT', 4],
  ['ETHIOPIA', 0],
  ['FRANCE', 3],
  ['GERMANY', 3],
  ['INDIA', 2],
  ['INDONESIA', 2],
  ['IRAN', 4],
  ['IRAQ', 4],
  ['JAPAN', 2],
  ['JORDAN', 4],
  ['KENYA', 0],
  ['MOROCCO', 0],
  ['MOZAMBIQUE', 0],
  ['PERU', 1],
  ['CHINA', 2],
  ['ROMANIA', 3],
  ['SAUDI ARABIA', 4],
  ['VIETNAM', 2],
  ['RUSSIA', 3],
  ['UNITED KINGDOM', 3],
  ['UNITED STATES', 1],
];
const COLORS =
  `almond antique aquamarine azure beige bisque black blanched blue blush brown burlywood burnished
  chartreuse chiffon chocolate coral cornflower cornsilk cream cyan dark deep dim dodger drab firebrick floral
  forest frosted gainsboro ghost goldenrod green grey honeydew hot indian ivory khaki lace lavender lawn lemon
  light lime linen magenta maroon medium metallic midnight mint misty moccasin navajo navy olive orange orchid
  pale papaya peach peru pink plum powder puff purple red rose rosy royal saddle salmon sandy seashell sienna
  sky slate smoke snow spring steel tan thistle tomato turquoise violet wheat white yellow`
    .split(/\s+/)
    .filter(Boolean);
const WORDS =
  `furiously quickly carefully blithely slyly fluffily regular final express special pending ironic
  bold even silent unusual packages requests accounts deposits foxes ideas theodolites pinto beans instructions
  dependencies excuses platelets asymptotes courts dolphins multipliers sauternes warthogs frets dinos
  attainments somas braids sleep wake are cajole haggle nag use boost affix detect integrate maintain nod was
  lose sublate solve thrash promise engage hinder print x-ray breach eat grow impress mold poach serve run
  dazzle snooze doze unwind kindle play hang believe doubt`
    .split(/\s+/)
    .filter(Boolean);

const list = (items: readonly string[]) => `[${items.map(quoteLiteral).join(', ')}]`;

export interface GenerateOptions {
  /** Keep files already written under `dir` (same scale assumed) instead of generating again. */
  reuse?: boolean;
}

/** Writes the eight tables at scale factor `scale` under `dir`; deterministic for a given scale. */
export async function generateTpch(
  dir: string,
  scale: number,
  options: GenerateOptions = {},
): Promise<TpchData> {
  if (!(scale > 0)) throw new Error('scale must be positive');
  const factsDir = join(dir, 'facts');
  const dimsDir = join(dir, 'dims');
  mkdirSync(factsDir, { recursive: true });
  mkdirSync(dimsDir, { recursive: true });
  const files = Object.fromEntries([
    ...FACT_TABLES.map((t) => [t, join(factsDir, `${t}.parquet`)]),
    ...DIMENSION_TABLES.map((t) => [t, join(dimsDir, `${t}.parquet`)]),
  ]) as Record<TpchTable, string>;
  const n = {
    supplier: Math.max(10, Math.round(10_000 * scale)),
    part: Math.max(100, Math.round(200_000 * scale)),
    customer: Math.max(100, Math.round(150_000 * scale)),
    orders: Math.max(1000, Math.round(1_500_000 * scale)),
  };
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    if (options.reuse && Object.values(files).every((file) => existsSync(file))) {
      const rows = {} as Record<TpchTable, number>;
      for (const [table, file] of Object.entries(files)) {
        const reader = await connection.runAndReadAll(
          `SELECT count(*)::INTEGER FROM read_parquet(${quoteLiteral(file)})`,
        );
        rows[table as TpchTable] = Number(reader.getRows()[0]?.[0]);
      }
      return { factsDir, dimsDir, files, rows };
    }
    for (const sql of generationSql(n)) await connection.run(sql);
    const rows = {} as Record<TpchTable, number>;
    for (const table of [...FACT_TABLES, ...DIMENSION_TABLES]) {
      await connection.run(`COPY ${table} TO ${quoteLiteral(files[table])} (FORMAT parquet)`);
      const reader = await connection.runAndReadAll(`SELECT count(*)::INTEGER FROM ${table}`);
      rows[table] = Number(reader.getRows()[0]?.[0]);
    }
    return { factsDir, dimsDir, files, rows };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function generationSql(n: { supplier: number; part: number; customer: number; orders: number }): string[] {
  const S = n.supplier;
  // The four suppliers of a part (spec 4.2.3: PS_SUPPKEY), also used by lineitem.
  const supplierOf = (part: string, i: string) =>
    `((${part} + (${i}) * (${Math.floor(S / 4)} + (${part} - 1) // ${S})) % ${S} + 1)::INTEGER`;
  const text = (key: string, stream: string, words: number) =>
    `array_to_string(list_transform(range(${words}), w -> pick(${list(WORDS)}, rnd((${key}) * 31 + w, '${stream}'))), ' ')`;
  return [
    "SET TimeZone = 'UTC'",
    'CREATE MACRO rnd(k, salt) AS (hash(xor(k::UBIGINT, hash(salt))) >> 11)::DOUBLE / 9007199254740992.0',
    'CREATE MACRO pick(xs, r) AS xs[1 + floor(r * len(xs))::BIGINT]',
    'CREATE MACRO uniform(k, salt, lo, hi) AS (lo + floor(rnd(k, salt) * (hi - lo + 1)))::BIGINT',
    'CREATE MACRO money(k, salt, lo, hi) AS (uniform(k, salt, lo, hi) / 100)::DECIMAL(15, 2)',
    "CREATE MACRO digits(k, salt, len) AS lpad(uniform(k, salt, 0, pow(10, len)::BIGINT - 1)::VARCHAR, len, '0')",
    `CREATE MACRO phone(k, salt, nation) AS (nation + 10)::VARCHAR || '-' || digits(k, salt || 'a', 3) || '-' || digits(k, salt || 'b', 3) || '-' || digits(k, salt || 'c', 4)`,

    `CREATE TABLE region AS
       SELECT i::INTEGER AS r_regionkey, ${list(REGIONS)}[i + 1] AS r_name, ${text('i', 'r_comment', 8)} AS r_comment
       FROM range(5) t(i)`,
    `CREATE TABLE nation AS
       SELECT i::INTEGER AS n_nationkey, ${list(NATIONS.map(([name]) => name))}[i + 1] AS n_name,
              [${NATIONS.map(([, r]) => r).join(', ')}][i + 1]::INTEGER AS n_regionkey,
              ${text('i', 'n_comment', 10)} AS n_comment
       FROM range(25) t(i)`,
    `CREATE TABLE supplier AS
       SELECT k::INTEGER AS s_suppkey, 'Supplier#' || lpad(k::VARCHAR, 9, '0') AS s_name,
              md5(k::VARCHAR || 's')[1:uniform(k, 's_address_len', 10, 32)] AS s_address,
              uniform(k, 's_nation', 0, 24)::INTEGER AS s_nationkey,
              phone(k, 's_phone', uniform(k, 's_nation', 0, 24)) AS s_phone,
              money(k, 's_acctbal', -99999, 999999) AS s_acctbal,
              CASE WHEN rnd(k, 's_complaint') < 0.01 THEN ${text('k', 's_c1', 3)} || ' Customer ' || ${text('k', 's_c2', 2)} || ' Complaints ' || ${text('k', 's_c3', 2)}
                   WHEN rnd(k, 's_complaint') < 0.02 THEN ${text('k', 's_c1', 3)} || ' Customer ' || ${text('k', 's_c2', 2)} || ' Recommends ' || ${text('k', 's_c3', 2)}
                   ELSE ${text('k', 's_comment', 9)} END AS s_comment
       FROM range(1, ${S + 1}) t(k)`,
    `CREATE TABLE part AS
       SELECT k::INTEGER AS p_partkey,
              array_to_string(list_transform(range(5), w -> pick(${list(COLORS)}, rnd(k * 7 + w, 'p_name'))), ' ') AS p_name,
              'Manufacturer#' || uniform(k, 'p_mfgr', 1, 5) AS p_mfgr,
              'Brand#' || uniform(k, 'p_mfgr', 1, 5) || uniform(k, 'p_brand', 1, 5) AS p_brand,
              pick(['STANDARD', 'SMALL', 'MEDIUM', 'LARGE', 'ECONOMY', 'PROMO'], rnd(k, 'p_type1')) || ' ' ||
              pick(['ANODIZED', 'BURNISHED', 'PLATED', 'POLISHED', 'BRUSHED'], rnd(k, 'p_type2')) || ' ' ||
              pick(['TIN', 'NICKEL', 'BRASS', 'STEEL', 'COPPER'], rnd(k, 'p_type3')) AS p_type,
              uniform(k, 'p_size', 1, 50)::INTEGER AS p_size,
              pick(['SM', 'LG', 'MED', 'JUMBO', 'WRAP'], rnd(k, 'p_cont1')) || ' ' ||
              pick(['CASE', 'BOX', 'BAG', 'JAR', 'PKG', 'PACK', 'CAN', 'DRUM'], rnd(k, 'p_cont2')) AS p_container,
              ((90000 + (k // 10) % 20001 + 100 * (k % 1000)) / 100)::DECIMAL(15, 2) AS p_retailprice,
              ${text('k', 'p_comment', 4)} AS p_comment
       FROM range(1, ${n.part + 1}) t(k)`,
    `CREATE TABLE partsupp AS
       SELECT k::INTEGER AS ps_partkey, ${supplierOf('k', 'i')} AS ps_suppkey,
              uniform(k * 4 + i, 'ps_availqty', 1, 9999)::INTEGER AS ps_availqty,
              money(k * 4 + i, 'ps_supplycost', 100, 100000) AS ps_supplycost,
              ${text('k * 4 + i', 'ps_comment', 12)} AS ps_comment
       FROM range(1, ${n.part + 1}) t(k), range(4) s(i)`,
    `CREATE TABLE customer AS
       SELECT k::INTEGER AS c_custkey, 'Customer#' || lpad(k::VARCHAR, 9, '0') AS c_name,
              md5(k::VARCHAR || 'c')[1:uniform(k, 'c_address_len', 10, 32)] AS c_address,
              uniform(k, 'c_nation', 0, 24)::INTEGER AS c_nationkey,
              phone(k, 'c_phone', uniform(k, 'c_nation', 0, 24)) AS c_phone,
              money(k, 'c_acctbal', -99999, 999999) AS c_acctbal,
              pick(['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'MACHINERY', 'HOUSEHOLD'], rnd(k, 'c_segment')) AS c_mktsegment,
              ${text('k', 'c_comment', 10)} AS c_comment
       FROM range(1, ${n.customer + 1}) t(k)`,
    // Orders: a third of the customers (keys divisible by 3) never order
    // (spec 4.2.3); dates up to 151 days before the end date, so every line
    // ships by 1998-12-01.
    `CREATE TABLE orders_base AS
       SELECT k::INTEGER AS o_orderkey,
              (CASE WHEN uniform(k, 'o_cust', 1, ${n.customer}) % 3 = 0
                    THEN uniform(k, 'o_cust', 1, ${n.customer}) % ${n.customer} + 1
                    ELSE uniform(k, 'o_cust', 1, ${n.customer}) END)::INTEGER AS o_custkey,
              DATE '1992-01-01' + uniform(k, 'o_date', 0, 2405)::INTEGER AS o_orderdate,
              pick(['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'], rnd(k, 'o_prio')) AS o_orderpriority,
              'Clerk#' || lpad(uniform(k, 'o_clerk', 1, ${Math.max(1, Math.round(n.orders / 1500))})::VARCHAR, 9, '0') AS o_clerk,
              0::INTEGER AS o_shippriority,
              CASE WHEN rnd(k, 'o_special') < 0.01 THEN ${text('k', 'o_c1', 2)} || ' special ' || ${text('k', 'o_c2', 2)} || ' requests ' || ${text('k', 'o_c3', 2)}
                   ELSE ${text('k', 'o_comment', 8)} END AS o_comment,
              uniform(k, 'o_lines', 1, 7) AS lines
       FROM range(1, ${n.orders + 1}) t(k)`,
    `CREATE TABLE lineitem AS
       WITH l AS (
         SELECT o.o_orderkey AS l_orderkey, o.o_orderdate, (ln + 1)::INTEGER AS l_linenumber,
                o.o_orderkey * 8 + ln AS k,
                uniform(o.o_orderkey * 8 + ln, 'l_part', 1, ${n.part})::INTEGER AS l_partkey
         FROM orders_base o, range(o.lines) r(ln)
       ), d AS (
         SELECT *, ${supplierOf('l_partkey', "uniform(k, 'l_supp', 0, 3)")} AS l_suppkey,
                uniform(k, 'l_qty', 1, 50) AS qty,
                o_orderdate + uniform(k, 'l_ship', 1, 121)::INTEGER AS l_shipdate,
                o_orderdate + uniform(k, 'l_commit', 30, 90)::INTEGER AS l_commitdate
         FROM l
       )
       SELECT l_orderkey, l_partkey, l_suppkey, l_linenumber,
              qty::DECIMAL(15, 2) AS l_quantity,
              (qty * ((90000 + (l_partkey // 10) % 20001 + 100 * (l_partkey % 1000)) / 100))::DECIMAL(15, 2) AS l_extendedprice,
              (uniform(k, 'l_disc', 0, 10) / 100)::DECIMAL(15, 2) AS l_discount,
              (uniform(k, 'l_tax', 0, 8) / 100)::DECIMAL(15, 2) AS l_tax,
              CASE WHEN l_shipdate + uniform(k, 'l_receipt', 1, 30)::INTEGER <= DATE '1995-06-17'
                   THEN pick(['R', 'A'], rnd(k, 'l_flag')) ELSE 'N' END AS l_returnflag,
              CASE WHEN l_shipdate > DATE '1995-06-17' THEN 'O' ELSE 'F' END AS l_linestatus,
              l_shipdate, l_commitdate,
              l_shipdate + uniform(k, 'l_receipt', 1, 30)::INTEGER AS l_receiptdate,
              pick(['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'], rnd(k, 'l_instruct')) AS l_shipinstruct,
              pick(['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'], rnd(k, 'l_mode')) AS l_shipmode,
              ${text('k', 'l_comment', 4)} AS l_comment
       FROM d
       ORDER BY l_orderkey, l_linenumber`,
    `CREATE TABLE orders AS
       SELECT o.o_orderkey, o.o_custkey,
              CASE WHEN t.open = 0 THEN 'F' WHEN t.open = t.lines THEN 'O' ELSE 'P' END AS o_orderstatus,
              t.total AS o_totalprice, o.o_orderdate, o.o_orderpriority, o.o_clerk, o.o_shippriority, o.o_comment
       FROM orders_base o JOIN (
         SELECT l_orderkey, count(*) AS lines, count(*) FILTER (WHERE l_linestatus = 'O') AS open,
                sum(l_extendedprice * (1 + l_tax) * (1 - l_discount))::DECIMAL(15, 2) AS total
         FROM lineitem GROUP BY l_orderkey
       ) t ON t.l_orderkey = o.o_orderkey
       ORDER BY o.o_orderkey`,
  ];
}
