import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '@tributary/core';
import { coordinatorConfigSchema } from '../config/coordinator-config.js';
import { MemoryBlobCache } from '../shared-state/index.js';
import { cachedChunks, decodeCachedResult, encodeCachedResult } from './cached-result.js';
import { ResultCache, type ResultKeyParts } from './result-cache.js';

const config = (input: Record<string, unknown>) => coordinatorConfigSchema.shape.result_cache.parse(input);
const logger = createLogger({ service: 'test', level: 'silent' });

const PARTS: ResultKeyParts = {
  tenant: 'acme',
  policyStamp: '3:abc',
  sql: 'SELECT a FROM (SELECT a FROM lake.main.t WHERE (region = $1)) AS t',
  params: ['EMEA'],
  limit: 0,
  sources: { lake: 'edge-id-1' },
};

describe('result cache keys', () => {
  const cache = new ResultCache(config({ enabled: true }), new MemoryBlobCache(1024), logger);
  const cases: [string, Partial<ResultKeyParts>][] = [
    ['another tenant', { tenant: 'globex' }],
    ['another policy version', { policyStamp: '4:abc' }],
    ['another mask or filter in the query as it runs', { sql: `${PARTS.sql} ` }],
    ['another policy value', { params: ['APAC'] }],
    ['a value of another type', { params: [1] }],
    ['another row limit', { limit: 10 }],
    ['another registration of the source', { sources: { lake: 'edge-id-2' } }],
  ];
  for (const [what, change] of cases) {
    test(`differ for ${what}`, () => {
      assert.notEqual(cache.keyFor({ ...PARTS, ...change }), cache.keyFor(PARTS));
    });
  }
  test('equal for equal parts, whatever the order of sources', () => {
    const two = { ...PARTS, sources: { lake: 'a', warehouse: 'b' } };
    assert.equal(cache.keyFor(two), cache.keyFor({ ...PARTS, sources: { warehouse: 'b', lake: 'a' } }));
  });
});

describe('result cache TTLs', () => {
  test('the shortest TTL of the sources read; 0 when disabled or a source says so', () => {
    const cache = new ResultCache(
      config({ enabled: true, ttl_ms: 60_000, sources: { Lake: { ttl_ms: 5_000 }, live: { ttl_ms: 0 } } }),
      new MemoryBlobCache(1024),
      logger,
    );
    assert.equal(cache.ttlFor(['warehouse']), 60_000);
    assert.equal(cache.ttlFor(['warehouse', 'lake']), 5_000);
    assert.equal(cache.ttlFor(['lake', 'live']), 0);
    const off = new ResultCache(config({}), new MemoryBlobCache(1024), logger);
    assert.equal(off.ttlFor(['warehouse']), 0);
  });
});

describe('cached results', () => {
  test('round-trip the IPC messages and their row counts; damaged entries are misses', () => {
    const messages = [Buffer.from('schema'), Buffer.from('batch-1'), Buffer.from('b2')];
    const encoded = encodeCachedResult({
      rows: 7,
      truncated: true,
      messages: [
        [0, 6],
        [5, 7],
        [2, 2],
      ],
      ipc: Buffer.concat(messages),
    });
    const decoded = decodeCachedResult(encoded);
    assert.ok(decoded);
    assert.equal(decoded.rows, 7);
    assert.equal(decoded.truncated, true);
    const chunks = [...cachedChunks(decoded)];
    assert.deepEqual(
      chunks.map((c) => [Number(c.arrow?.row_count), Buffer.from(c.arrow?.ipc as Uint8Array).toString()]),
      [
        [0, 'schema'],
        [5, 'batch-1'],
        [2, 'b2'],
      ],
    );
    assert.equal(decodeCachedResult(encoded.subarray(0, encoded.byteLength - 1)), undefined);
    assert.equal(decodeCachedResult(Buffer.from('not an entry')), undefined);
  });

  test('a result larger than max_entry_bytes is passed through but not kept', async () => {
    const blobs = new MemoryBlobCache(1 << 20);
    const cache = new ResultCache(config({ enabled: true, max_entry_bytes: 10 }), blobs, logger);
    const chunks = async function* () {
      yield { arrow: { ipc: Buffer.alloc(8), row_count: 0 } };
      yield { arrow: { ipc: Buffer.alloc(8), row_count: 3 } };
      yield { metadata: { truncated: false } };
    };
    let seen = 0;
    for await (const _ of cache.recording('k', 60_000, chunks())) seen++;
    assert.equal(seen, 3);
    assert.equal(await cache.lookup('k'), undefined);
  });
});
