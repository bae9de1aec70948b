import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemorySettings } from './memory-state.js';
import { StoreChangeFeed } from './store-changes.js';

test('a store change on one replica moves the generation of the others, not its own twice', () => {
  const settings = new MemorySettings();
  const storeA = { generation: 0 };
  const storeB = { generation: 0 };
  let invalidatedOnB = 0;
  const a = new StoreChangeFeed(storeA, settings);
  const b = new StoreChangeFeed(storeB, settings, () => invalidatedOnB++);
  const before = { a: a.generation, b: b.generation };
  storeA.generation++; // e.g. an API key revoked through A
  a.check();
  assert.equal(a.generation, before.a + 1, 'A: its own change only');
  assert.equal(b.generation, before.b + 1, 'B: the announced change');
  assert.equal(invalidatedOnB, 1);
  a.check();
  assert.equal(b.generation, before.b + 1, 'announced once');
});
