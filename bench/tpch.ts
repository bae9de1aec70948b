// TPC-H through Tributary with the tables split across two edges (facts:
// lineitem, orders, partsupp; dims: customer, supplier, part, nation,
// region), next to DuckDB run in-process on the same Parquet files. Each
// query runs once to warm up, then the best of `RUNS` is kept on both
// sides. Tributary's first run is shown too: it plans from nothing, while
// later runs reuse the split plan and the fragment sizes it measured. Scale factor from TPCH_SCALE (default 1); TPCH_QUERIES=3,5,9
// picks queries; TPCH_DIR reuses generated data.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral } from '@tributary/core';
import { Cluster } from '../test/support/cluster.js';
import {
  DIMENSION_TABLES,
  FACT_TABLES,
  generateTpch,
  type TpchTable,
} from '../test/support/tpch/generate.js';
import { tpchQueries } from '../test/support/tpch/queries.js';

const RUNS = 3;
const FACTS: ReadonlySet<string> = new Set(FACT_TABLES);
const qualified = (table: TpchTable) => `${FACTS.has(table) ? 'facts' : 'dims'}.main.${table}`;

async function best(run: () => Promise<unknown>): Promise<{ first: number; fastest: number }> {
  const began = performance.now();
  await run();
  const first = performance.now() - began;
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return { first, fastest };
}

const geometricMean = (ratios: readonly number[]) =>
  Math.exp(ratios.reduce((sum, r) => sum + Math.log(r), 0) / ratios.length);

export async function tpchBench(): Promise<void> {
  const scale = Number(process.env.TPCH_SCALE ?? 1);
  const picked = process.env.TPCH_QUERIES?.split(',').map(Number);
  const kept = process.env.TPCH_DIR;
  const dir = kept ?? mkdtempSync(join(tmpdir(), 'tributary-tpch-bench-'));
  const generatedAt = performance.now();
  const data = await generateTpch(dir, scale, {
    reuse: kept !== undefined && existsSync(join(dir, 'facts')),
  });
  const generationMs = performance.now() - generatedAt;
  const cluster = await Cluster.start({
    edges: [
      { name: 'edge-facts', sources: [{ name: 'facts', type: 'files', path: data.factsDir }] },
      { name: 'edge-dims', sources: [{ name: 'dims', type: 'files', path: data.dimsDir }] },
    ],
  });
  const instance = await DuckDBInstance.create(':memory:');
  const direct = await instance.connect();
  try {
    for (const source of ['facts', 'dims']) await direct.run(`ATTACH ':memory:' AS ${source}`);
    for (const table of [...FACT_TABLES, ...DIMENSION_TABLES]) {
      await direct.run(
        `CREATE VIEW ${qualified(table)} AS SELECT * FROM read_parquet(${quoteLiteral(data.files[table])})`,
      );
    }
    const client = cluster.client();
    console.log(
      `\n## TPC-H SF ${scale} across two edges vs DuckDB in-process (data generated in ${(generationMs / 1000).toFixed(1)} s; best of ${RUNS})`,
    );
    console.log('query | plan | DuckDB ms | Tributary ms | ratio | Tributary first run ms | first-run ratio');
    const ratios: number[] = [];
    const firstRatios: number[] = [];
    for (const query of tpchQueries(qualified)) {
      if (picked && !picked.includes(query.id)) continue;
      const alone = (await best(() => direct.runAndReadAll(query.sql))).fastest;
      const through = await best(() => client.query(query.sql).toTable());
      // After the runs, so that the first run plans from nothing.
      const plan = (await client.validate(query.sql)).plan?.mode ?? '?';
      const ratio = through.fastest / alone;
      ratios.push(ratio);
      firstRatios.push(through.first / alone);
      console.log(
        `Q${query.id} | ${plan} | ${alone.toFixed(0)} | ${through.fastest.toFixed(0)} | ${ratio.toFixed(2)} | ${through.first.toFixed(0)} | ${(through.first / alone).toFixed(2)}`,
      );
    }
    console.log(`geometric mean of ratios: ${geometricMean(ratios).toFixed(2)}   (target < 2.0)`);
    console.log(`geometric mean of first-run ratios: ${geometricMean(firstRatios).toFixed(2)}`);
  } finally {
    direct.closeSync();
    instance.closeSync();
    await cluster.stop();
    if (!kept) rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await tpchBench();
