import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EdgeSlots } from './edge-slots.js';
import { checkLimitSettings, limitsWith, NO_LIMITS } from './query-limits.js';

describe('tenant limits', () => {
  test('settings override the defaults; other settings are ignored', () => {
    assert.deepEqual(
      limitsWith(
        { ...NO_LIMITS, maxRows: 100, maxExecutionMs: 5_000 },
        { 'limits.max_rows': '10', 'limits.max_concurrent_queries_per_edge': '2', theme: 'dark' },
      ),
      { maxRows: 10, maxBytes: 0, maxExecutionMs: 5_000, maxConcurrentPerEdge: 2 },
    );
  });

  test('bad limit settings are refused before they are stored', () => {
    const bad: Record<string, string>[] = [
      { 'limits.max_rows': '-1' },
      { 'limits.max_rows': '1.5' },
      { 'limits.max_rows': 'lots' },
      { 'limits.max_rowz': '10' },
    ];
    for (const settings of bad) {
      assert.throws(
        () => checkLimitSettings(settings),
        (error: { code?: string }) => error.code === 'INVALID_ARGUMENT',
      );
    }
    checkLimitSettings({ 'limits.max_bytes': '1048576', 'limits.max_rows': '0', colour: 'blue' });
  });

  test('per-edge slots count per tenant and edge', () => {
    const slots = new EdgeSlots();
    const first = slots.tryAcquire('acme', 'e1', 2);
    const second = slots.tryAcquire('acme', 'e1', 2);
    assert.ok(first && second);
    assert.equal(slots.tryAcquire('acme', 'e1', 2), undefined);
    assert.ok(slots.tryAcquire('acme', 'e2', 2), 'another edge has its own count');
    assert.ok(slots.tryAcquire('globex', 'e1', 2), 'another tenant has its own count');
    first();
    first();
    assert.equal(slots.count('acme', 'e1'), 1);
    assert.ok(slots.tryAcquire('acme', 'e1', 2));
    assert.ok(slots.tryAcquire('acme', 'e1', 0), '0 means no limit');
  });
});
