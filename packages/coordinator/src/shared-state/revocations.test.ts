import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LocalRevocations, MAX_REVOCATION_MS, MemoryRevocationList } from './revocations.js';

describe('MemoryRevocationList', () => {
  test('a revoked key, user or token is refused; others of the same tenant and subject are not', async () => {
    let now = 1_000_000;
    const list = new MemoryRevocationList(() => now);
    await list.add({ kind: 'api_key', tenant: 'acme', keyId: 'k1', expiresAt: now + 60_000 });
    await list.add({ kind: 'user', tenant: 'acme', subject: 'bob', expiresAt: now + MAX_REVOCATION_MS });
    await list.add({ kind: 'token', tenant: 'acme', jti: 't1', expiresAt: now + 5_000 });
    assert.equal(list.isKeyRevoked('acme', 'k1'), true);
    assert.equal(list.isKeyRevoked('acme', 'k2'), false);
    assert.equal(list.isKeyRevoked('other', 'k1'), false, 'revocations belong to one tenant');
    assert.equal(list.isUserRevoked('acme', 'bob'), true);
    assert.equal(list.isUserRevoked('acme', 'alice'), false);
    assert.equal(list.isTokenRevoked('acme', 'alice', 't1', now), true);
    assert.equal(list.isTokenRevoked('acme', 'alice', 't2', now), false);
    assert.equal(list.isTokenRevoked('acme', 'alice', undefined, now), false);
    now += 1;
    assert.equal(list.isKeyRevoked('acme', 'k1'), true);
  });

  test('"tokens issued before" refuses older tokens and tokens without iat, not newer ones', async () => {
    const now = 5_000_000;
    const list = new MemoryRevocationList(() => now);
    await list.add({
      kind: 'tokens_before',
      tenant: 'acme',
      subject: 'alice',
      issuedBefore: now,
      expiresAt: now + 1,
    });
    assert.equal(list.isTokenRevoked('acme', 'alice', 'x', now - 1_000), true);
    assert.equal(list.isTokenRevoked('acme', 'alice', 'x', undefined), true);
    assert.equal(list.isTokenRevoked('acme', 'alice', 'x', now), false);
    assert.equal(list.isTokenRevoked('acme', 'bob', 'x', now - 1_000), false);
  });

  test('the later of two cutoffs counts, whichever arrives first', () => {
    const now = 10_000;
    const local = new LocalRevocations(() => now);
    local.apply({
      kind: 'tokens_before',
      tenant: 'acme',
      subject: 'a',
      issuedBefore: 9_000,
      expiresAt: 50_000,
    });
    local.apply({
      kind: 'tokens_before',
      tenant: 'acme',
      subject: 'a',
      issuedBefore: 8_000,
      expiresAt: 40_000,
    });
    assert.equal(local.isTokenRevoked('acme', 'a', undefined, 8_500), true);
  });

  test('entries expire when they can no longer matter, and are forgotten', async () => {
    let now = 1_000;
    const list = new MemoryRevocationList(() => now);
    await list.add({ kind: 'token', tenant: 'acme', jti: 't1', expiresAt: 2_000 });
    await list.add({ kind: 'api_key', tenant: 'acme', keyId: 'k1', expiresAt: 3_000 });
    assert.equal(list.isTokenRevoked('acme', 'u', 't1', 0), true);
    now = 2_000;
    assert.equal(list.isTokenRevoked('acme', 'u', 't1', 0), false, 'the token has expired by itself');
    assert.equal(list.isKeyRevoked('acme', 'k1'), true);
    now = 3_000;
    assert.equal(list.isKeyRevoked('acme', 'k1'), false);
    await list.add({ kind: 'user', tenant: 'acme', subject: 'bob', expiresAt: 10_000 });
    assert.equal(list.size, 1, 'expired entries were pruned');
  });

  test('a restored user is accepted again; a repeated revocation keeps the longer life', async () => {
    let now = 0;
    const list = new MemoryRevocationList(() => now);
    await list.add({ kind: 'user', tenant: 'acme', subject: 'bob', expiresAt: 100 });
    await list.add({ kind: 'user', tenant: 'acme', subject: 'bob', expiresAt: 50 });
    now = 60;
    assert.equal(list.isUserRevoked('acme', 'bob'), true);
    await list.restoreUser('acme', 'bob');
    assert.equal(list.isUserRevoked('acme', 'bob'), false);
  });
});
