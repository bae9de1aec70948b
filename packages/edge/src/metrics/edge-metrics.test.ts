import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EdgeMetrics } from './edge-metrics.js';

async function value(metrics: EdgeMetrics, name: string, labels: Record<string, string> = {}) {
  const metric = (await metrics.registry.getMetricsAsJSON()).find(
    (m) => name === m.name || ['_bucket', '_sum', '_count'].some((suffix) => name === `${m.name}${suffix}`),
  );
  // A histogram's series are named `<name>_bucket`, `_sum`, `_count`.
  return (metric?.values ?? []).find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? metric?.name) === name &&
      Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
  )?.value;
}

describe('EdgeMetrics', () => {
  test('queries: rows and bytes as sent, status and duration once at the end', async () => {
    const metrics = new EdgeMetrics({ activeQueries: 0, queuedQueries: 0 });
    const ok = metrics.startQuery();
    const failed = metrics.startQuery();
    assert.equal(await value(metrics, 'tributary_edge_active_queries'), 2);
    ok.sent(0, 300);
    ok.sent(2_048, 65_536);
    ok.end('OK');
    failed.end('DEADLINE_EXCEEDED');
    failed.end('OK');
    assert.equal(await value(metrics, 'tributary_edge_active_queries'), 0);
    assert.equal(await value(metrics, 'tributary_edge_queries_total', { status: 'OK' }), 1);
    assert.equal(await value(metrics, 'tributary_edge_queries_total', { status: 'DEADLINE_EXCEEDED' }), 1);
    assert.equal(await value(metrics, 'tributary_edge_query_rows_total'), 2_048);
    assert.equal(await value(metrics, 'tributary_edge_query_bytes_total'), 65_836);
    assert.equal(await value(metrics, 'tributary_edge_query_duration_seconds_count'), 2);
  });

  test('the DuckDB pool is read when scraped; discovery is timed even when it fails', async () => {
    const pool = { activeQueries: 3, queuedQueries: 1 };
    const metrics = new EdgeMetrics(pool);
    assert.equal(await value(metrics, 'tributary_edge_duckdb_connections_in_use'), 3);
    assert.equal(await value(metrics, 'tributary_edge_duckdb_queries_waiting'), 1);
    pool.activeQueries = 0;
    assert.equal(await value(metrics, 'tributary_edge_duckdb_connections_in_use'), 0);
    assert.equal(await metrics.timeDiscovery(async () => 'schemas'), 'schemas');
    await assert.rejects(
      metrics.timeDiscovery(() => Promise.reject(new Error('unreadable'))),
      /unreadable/,
    );
    assert.equal(await value(metrics, 'tributary_edge_schema_discovery_duration_seconds_count'), 2);
  });
});
