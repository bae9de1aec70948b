import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hashApiKey } from '@tributary/coordinator';

/** The command as installed: the bin launcher over the built CLI. */
const BIN = fileURLToPath(new URL('../../bin/tributary.mjs', import.meta.url));

function cli(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
}

describe('tributary api-key', () => {
  test('prints a new key and the digest a configuration stores for it', () => {
    const first = cli('api-key');
    assert.equal(first.status, 0, first.stderr);
    const lines = Object.fromEntries(
      first.stdout
        .trim()
        .split('\n')
        .map((line) => line.split('=') as [string, string]),
    );
    assert.match(lines.TRIBUTARY_API_KEY ?? '', /^trb_live_[A-Za-z0-9_-]{43}$/);
    assert.equal(lines.TRIBUTARY_ADMIN_KEY_SHA256, hashApiKey(lines.TRIBUTARY_API_KEY ?? ''));
    assert.notEqual(cli('api-key').stdout, first.stdout, 'every call makes a new key');
  });

  test('refuses arguments', () => {
    const result = cli('api-key', 'extra');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /INVALID_ARGUMENT: usage: tributary api-key/);
  });
});

describe('tributary demo-data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-demo-data-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('writes both demo sources into the directory, and keeps them on a second run', () => {
    const target = join(dir, 'sample');
    const first = cli('demo-data', target, '--scale', '0.01');
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /Sample data ready .* \(8 tables, \d+ rows\)/);
    assert.deepEqual(readdirSync(target).sort(), ['lake', 'manifest.json', 'warehouse.duckdb']);
    const again = cli('demo-data', target, '--scale', '0.01');
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, first.stdout);
  });

  test('refuses a missing directory or a bad scale with a usage error', () => {
    for (const args of [
      [],
      ['a', 'b'],
      [join(dir, 'x'), '--scale', '0'],
      [join(dir, 'x'), '--scale', 'lots'],
    ]) {
      const result = cli('demo-data', ...args);
      assert.equal(result.status, 1, args.join(' '));
      assert.match(result.stderr, /INVALID_ARGUMENT/);
    }
  });
});
