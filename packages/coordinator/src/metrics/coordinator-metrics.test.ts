import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Registry } from '@tributary/core';
import { type CoordinatorGauges, CoordinatorMetrics } from './coordinator-metrics.js';

/** The value of one series, or undefined when it was never recorded. */
async function value(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const metric = (await registry.getMetricsAsJSON()).find(
    (m) => name === m.name || ['_bucket', '_sum', '_count'].some((suffix) => name === `${m.name}${suffix}`),
  );
  // A histogram's series are named `<name>_bucket`, `_sum`, `_count`.
  const sample = (metric?.values ?? []).find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? metric?.name) === name &&
      Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
  );
  return sample?.value;
}

function gauges(state: Partial<ReturnType<CoordinatorGauges['audit']>> = {}): CoordinatorGauges {
  return {
    edges: () => [
      { name: 'edge-1', healthy: true, sources: [{ name: 'lake' }, { name: 'warehouse' }] },
      { name: 'edge-2', healthy: false, sources: [{ name: 'lake' }] },
    ],
    sources: () => [
      { name: 'lake', edges: 2 },
      { name: 'archive', edges: 0 },
    ],
    audit: () => ({ pending: state.pending ?? 7, dropped: state.dropped ?? 3 }),
  };
}

describe('CoordinatorMetrics', () => {
  test('a query meter counts rows and bytes as they stream, and its end exactly once', async () => {
    const metrics = new CoordinatorMetrics(gauges());
    const meter = metrics.startQuery('http');
    assert.equal(await value(metrics.registry, 'tributary_active_queries', { protocol: 'http' }), 1);
    meter.streamed(0, 512); // the schema message: bytes, no rows
    meter.streamed(100, 4_096);
    meter.streamed(50, 2_048);
    meter.end('OK');
    meter.end('INTERNAL'); // a second end is ignored
    const { registry } = metrics;
    assert.equal(await value(registry, 'tributary_active_queries', { protocol: 'http' }), 0);
    assert.equal(await value(registry, 'tributary_queries_total', { protocol: 'http', status: 'OK' }), 1);
    assert.equal(await value(registry, 'tributary_queries_total', { status: 'INTERNAL' }), undefined);
    assert.equal(await value(registry, 'tributary_query_rows_total', { protocol: 'http' }), 150);
    assert.equal(await value(registry, 'tributary_query_bytes_total', { protocol: 'http' }), 6_656);
    assert.equal(await value(registry, 'tributary_query_duration_seconds_count', { protocol: 'http' }), 1);
    assert.equal(
      await value(registry, 'tributary_query_time_to_first_batch_seconds_count', { protocol: 'http' }),
      1,
      'observed once, at the first batch with rows',
    );
  });

  test('a refused query is counted by its code and never reaches first batch', async () => {
    const metrics = new CoordinatorMetrics(gauges());
    metrics.startQuery('grpc').end('QUERY_UNAUTHORIZED');
    const { registry } = metrics;
    assert.equal(
      await value(registry, 'tributary_queries_total', { protocol: 'grpc', status: 'QUERY_UNAUTHORIZED' }),
      1,
    );
    assert.equal(await value(registry, 'tributary_query_time_to_first_batch_seconds_count'), undefined);
  });

  test('edge health, sources and the audit queue are read when scraped', async () => {
    const audit = { pending: 7, dropped: 3 };
    const metrics = new CoordinatorMetrics({ ...gauges(), audit: () => audit });
    const { registry } = metrics;
    assert.equal(await value(registry, 'tributary_edge_healthy', { edge: 'edge-1', source: 'warehouse' }), 1);
    assert.equal(await value(registry, 'tributary_edge_healthy', { edge: 'edge-2', source: 'lake' }), 0);
    assert.equal(await value(registry, 'tributary_source_edges', { source: 'archive' }), 0);
    assert.equal(await value(registry, 'tributary_audit_queue_depth'), 7);
    assert.equal(await value(registry, 'tributary_audit_records_dropped_total'), 3);
    audit.pending = 0;
    audit.dropped = 5;
    assert.equal(await value(registry, 'tributary_audit_queue_depth'), 0);
    assert.equal(await value(registry, 'tributary_audit_records_dropped_total'), 5);
  });

  test('two instances never share series: each process passes its own registry down', async () => {
    const a = new CoordinatorMetrics(gauges());
    const b = new CoordinatorMetrics(gauges());
    a.authFailures.inc({ reason: 'invalid_api_key' });
    a.resultCacheRequests.inc({ outcome: 'hit' });
    b.rateLimitRejections.inc({ tier: 'free' });
    assert.equal(await value(a.registry, 'tributary_auth_failures_total', { reason: 'invalid_api_key' }), 1);
    assert.equal(await value(b.registry, 'tributary_auth_failures_total'), undefined);
    assert.equal(await value(a.registry, 'tributary_result_cache_requests_total', { outcome: 'hit' }), 1);
    assert.equal(await value(b.registry, 'tributary_rate_limit_rejections_total', { tier: 'free' }), 1);
    assert.equal(await value(a.registry, 'tributary_rate_limit_rejections_total'), undefined);
  });
});
