import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Fastify from 'fastify';
import { sendError } from '../errors.js';
import { type ConsoleOptions, consoleRoutes } from './console.js';

const dir = mkdtempSync(join(tmpdir(), 'tributary-console-files-'));
mkdirSync(join(dir, 'assets'));
writeFileSync(
  join(dir, 'index.html'),
  '<!doctype html><script type="module" src="assets/main-AB12.js"></script>',
);
writeFileSync(join(dir, 'assets/main-AB12.js'), 'export {};');
writeFileSync(join(dir, 'assets/notes.unknown'), 'not served');
after(() => rmSync(dir, { recursive: true, force: true }));

function app(options: ConsoleOptions) {
  const instance = Fastify();
  instance.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  consoleRoutes(instance, options);
  return instance;
}

describe('console routes', () => {
  test('gRPC-Web is the browser’s host on the gRPC-Web port, in config.json and the CSP', async () => {
    const server = app({ dir, grpcWebPort: 8001 });
    const config = await server.inject({ url: '/console/config.json', headers: { host: 'localhost:8000' } });
    assert.deepEqual(config.json(), { grpcWebUrl: 'http://localhost:8001' });
    assert.equal(config.headers['cache-control'], 'no-store');
    const index = await server.inject({ url: '/console/', headers: { host: 'tributary.internal:8000' } });
    assert.equal(index.statusCode, 200);
    assert.match(
      String(index.headers['content-security-policy']),
      /connect-src 'self' http:\/\/tributary\.internal:8001;/,
    );
    assert.equal(index.headers['x-frame-options'], 'DENY');
  });

  test('a configured URL wins; a malformed Host gets no gRPC-Web origin', async () => {
    const configured = app({ dir, grpcWebPort: 8001, grpcWebUrl: 'https://grpc.example.com/' });
    const config = await configured.inject({
      url: '/console/config.json',
      headers: { host: 'localhost:8000' },
    });
    assert.deepEqual(config.json(), { grpcWebUrl: 'https://grpc.example.com' });
    const plain = app({ dir, grpcWebPort: 8001 });
    const odd = await plain.inject({ url: '/console/config.json', headers: { host: 'a b"<' } });
    assert.deepEqual(odd.json(), { grpcWebUrl: null });
    const index = await plain.inject({ url: '/console/', headers: { host: 'a b"<' } });
    assert.match(String(index.headers['content-security-policy']), /connect-src 'self';/);
  });

  test('assets: immutable when hashed, 404 for unknown files and unknown types', async () => {
    const server = app({ dir, grpcWebPort: 8001 });
    const asset = await server.inject({ url: '/console/assets/main-AB12.js' });
    assert.equal(asset.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    for (const url of [
      '/console/assets/nope.js',
      '/console/assets/notes.unknown',
      '/console/assets/../index.html',
    ]) {
      const missing = await server.inject({ url });
      assert.equal(missing.statusCode, 404, url);
    }
    assert.equal((await server.inject({ url: '/console/assets/nope.js' })).json().error.code, 'NOT_FOUND');
  });

  test('not built: NOT_FOUND saying so', async () => {
    const server = app({ dir: join(dir, 'missing'), grpcWebPort: 8001 });
    const response = await server.inject({ url: '/console/' });
    assert.equal(response.statusCode, 404);
    assert.match(response.json().error.message, /not built/);
  });
});
