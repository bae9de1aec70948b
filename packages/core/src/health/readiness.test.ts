import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ReadinessChecks } from './readiness.js';

describe('ReadinessChecks', () => {
  test('ready only when every check passes, with a breakdown per check', async () => {
    const checks = new ReadinessChecks()
      .add('store', () => ({ ok: true }))
      .add('edges', async () => ({ ok: true, detail: '2 of 2 sources served' }));
    const report = await checks.evaluate();
    assert.equal(report.ready, true);
    assert.deepEqual(Object.keys(report.checks), ['store', 'edges']);
    assert.equal(report.checks.edges?.detail, '2 of 2 sources served');
    assert.equal(typeof report.checks.store?.ms, 'number');
  });

  test('a failing, throwing or hanging check makes the process not ready, and says why', async () => {
    const checks = new ReadinessChecks(50)
      .add('store', () => ({ ok: true }))
      .add('edges', () => ({ ok: false, detail: 'offline: lake' }))
      .add('cache', () => Promise.reject(new Error('connection refused')))
      .add('hung', () => new Promise(() => undefined));
    const report = await checks.evaluate();
    assert.equal(report.ready, false);
    assert.equal(report.checks.store?.ok, true);
    assert.deepEqual(
      { ok: report.checks.edges?.ok, detail: report.checks.edges?.detail },
      { ok: false, detail: 'offline: lake' },
    );
    assert.equal(report.checks.cache?.detail, 'connection refused');
    assert.equal(report.checks.hung?.ok, false);
    assert.match(String(report.checks.hung?.detail), /no answer within 50 ms/);
  });

  test('an advisory check is reported but only degrades readiness', async () => {
    const checks = new ReadinessChecks()
      .add('store', () => ({ ok: true }))
      .addAdvisory('redis', () => ({ ok: false, detail: 'reconnecting' }));
    const report = await checks.evaluate();
    assert.equal(report.ready, true);
    assert.equal(report.degraded, true);
    assert.equal(report.checks.redis?.detail, 'reconnecting');
    const healthy = await new ReadinessChecks()
      .add('store', () => ({ ok: true }))
      .addAdvisory('redis', () => ({ ok: true }))
      .evaluate();
    assert.equal(healthy.degraded, false);
  });

  test('no checks is not ready; a name is registered once', async () => {
    assert.equal((await new ReadinessChecks().evaluate()).ready, false);
    const checks = new ReadinessChecks().add('store', () => ({ ok: true }));
    assert.throws(() => checks.add('store', () => ({ ok: true })), /already registered/);
  });
});
