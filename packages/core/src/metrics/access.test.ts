import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, mock, test } from 'node:test';
import { metricsAccess, metricsConfigSchema } from './access.js';
import { createMetricsRegistry } from './registry.js';

describe('metrics access', () => {
  test('open by default; disabled says so', () => {
    assert.equal(metricsAccess(metricsConfigSchema.parse(undefined), undefined), 'allowed');
    assert.equal(metricsAccess(metricsConfigSchema.parse({ enabled: false }), undefined), 'disabled');
  });

  test('with a token, only Bearer <token> reads; compared in constant time', (t) => {
    const config = metricsConfigSchema.parse({ bearer_token: 'scrape-secret-0123456789' });
    const spy = t.mock.method(crypto, 'timingSafeEqual');
    assert.equal(metricsAccess(config, 'Bearer scrape-secret-0123456789'), 'allowed');
    assert.equal(metricsAccess(config, 'bearer scrape-secret-0123456789'), 'allowed');
    for (const wrong of [
      undefined,
      '',
      'Bearer ',
      'Bearer scrape-secret-012345678',
      'scrape-secret-0123456789',
    ]) {
      assert.equal(metricsAccess(config, wrong), 'unauthorized', String(wrong));
    }
    assert.ok(spy.mock.callCount() >= 2);
    mock.restoreAll();
  });

  test('a short token is a configuration error', () => {
    assert.throws(() => metricsConfigSchema.parse({ bearer_token: 'short' }), /at least 16/);
  });
});

describe('metrics registry', () => {
  test('each process has its own registry with runtime metrics and build info', async () => {
    const a = createMetricsRegistry('coordinator');
    const b = createMetricsRegistry('edge');
    const text = await a.metrics();
    assert.match(text, /^process_cpu_user_seconds_total /m);
    assert.match(text, /^nodejs_eventloop_lag_seconds /m);
    assert.match(text, /^tributary_build_info\{service="coordinator",version="[^"]+"\} 1$/m);
    assert.match(await b.metrics(), /tributary_build_info\{service="edge"/);
  });
});
