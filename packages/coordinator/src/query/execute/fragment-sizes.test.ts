import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FragmentSizes, type SizedFragment } from './fragment-sizes.js';

const fragment: SizedFragment = {
  source: 'Facts',
  version: 3,
  sql: 'SELECT o_orderkey FROM facts.main.orders WHERE o_orderdate < $1',
  params: ['1995-03-15', 10n, new Uint8Array([1, 2])],
};

test('a measured size is found again by the same fragment, whatever the source name case', () => {
  const sizes = new FragmentSizes(60_000);
  assert.equal(sizes.get(fragment), undefined);
  sizes.set(fragment, 1234);
  assert.equal(sizes.get(fragment), 1234);
  assert.equal(sizes.get({ ...fragment, source: 'facts' }), 1234);
});

test('another value, query or catalog version is another fragment', () => {
  const sizes = new FragmentSizes(60_000);
  sizes.set(fragment, 1234);
  assert.equal(sizes.get({ ...fragment, params: ['1995-03-16', 10n, new Uint8Array([1, 2])] }), undefined);
  assert.equal(sizes.get({ ...fragment, params: ['1995-03-15', 10n, new Uint8Array([1, 3])] }), undefined);
  assert.equal(sizes.get({ ...fragment, sql: `${fragment.sql} AND true` }), undefined);
  assert.equal(sizes.get({ ...fragment, version: 4 }), undefined, 'a schema refresh that changed the source');
  assert.equal(sizes.get({ ...fragment, source: 'dims' }), undefined);
});

test('sizes expire, and a TTL of 0 keeps none', async () => {
  const brief = new FragmentSizes(30);
  brief.set(fragment, 5);
  assert.equal(brief.get(fragment), 5);
  await sleep(60);
  assert.equal(brief.get(fragment), undefined);
  const none = new FragmentSizes(0);
  none.set(fragment, 5);
  assert.equal(none.get(fragment), undefined);
});

test('a count that failed to read (NaN) or a negative one is not kept', () => {
  const sizes = new FragmentSizes(60_000);
  sizes.set(fragment, Number.NaN);
  assert.equal(sizes.get(fragment), undefined);
  sizes.set(fragment, -1);
  assert.equal(sizes.get(fragment), undefined);
});

test('the oldest sizes give way past the entry limit', () => {
  const sizes = new FragmentSizes(60_000, 2);
  for (const n of [1, 2, 3]) sizes.set({ ...fragment, params: [n] }, n);
  assert.equal(sizes.get({ ...fragment, params: [1] }), undefined);
  assert.equal(sizes.get({ ...fragment, params: [3] }), 3);
});

test('a width (bytes per row) is kept beside the rows, each updated on its own', () => {
  const sizes = new FragmentSizes(60_000);
  assert.equal(sizes.width(fragment), undefined);
  sizes.setWidth(fragment, 100, 2400);
  assert.equal(sizes.width(fragment), 24);
  assert.equal(sizes.get(fragment), undefined, 'a width says nothing of the rows');
  sizes.set(fragment, 5000);
  assert.equal(sizes.width(fragment), 24);
  assert.equal(sizes.get(fragment), 5000);
  sizes.setWidth(fragment, 0, 0);
  assert.equal(sizes.width(fragment), 24, 'an empty load measures no width');
});
