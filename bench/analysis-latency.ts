// Latency of SQL analysis at the coordinator (parse, bind against shadow
// tables, column lineage), uncached: the fixed cost every query pays.
import { SqlAnalyzer } from '../packages/coordinator/src/query/analyze/index.js';

const CATALOG = [
  {
    source: 'sales',
    schema: 'crm',
    table: 'customers',
    columns: [
      { name: 'id', sqlType: 'BIGINT' },
      { name: 'name', sqlType: 'VARCHAR' },
      { name: 'region', sqlType: 'VARCHAR' },
    ],
  },
  {
    source: 'sales',
    schema: 'main',
    table: 'orders',
    columns: [
      { name: 'id', sqlType: 'BIGINT' },
      { name: 'customer_id', sqlType: 'BIGINT' },
      { name: 'amount', sqlType: 'DECIMAL(12,2)' },
    ],
  },
];

async function measure(analyzer: SqlAnalyzer, sql: string, params?: bigint[]) {
  for (let i = 0; i < 100; i++) await analyzer.analyze(sql, params);
  const samples: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const start = performance.now();
    await analyzer.analyze(sql, params);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[500] ?? 0, p99: samples[990] ?? 0 };
}

export async function analysisBench(): Promise<void> {
  const analyzer = await SqlAnalyzer.create({ cacheSize: 0 });
  try {
    await analyzer.setCatalog(1, CATALOG);
    console.log('\n## SQL analysis at the coordinator (uncached)');
    const cases: [string, string, bigint[]?][] = [
      [
        'two-table join with a filter',
        'SELECT c.name, o.amount FROM sales.crm.customers c JOIN sales.orders o ON o.customer_id = c.id WHERE o.amount > 10',
      ],
      ['one parameter', 'SELECT name FROM sales.crm.customers WHERE id = $1', [1n]],
    ];
    for (const [label, sql, params] of cases) {
      const { p50, p99 } = await measure(analyzer, sql, params);
      console.log(`${label.padEnd(30)} p50 ${p50.toFixed(3)} ms  p99 ${p99.toFixed(3)} ms`);
    }
  } finally {
    await analyzer.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await analysisBench();
