import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { compileErrors, validate } from '@readme/openapi-parser';
import { createLogger, metricsConfigSchema } from '@tributary/core';
import type { FastifyInstance } from 'fastify';
import type { CoordinatorServices } from '../../../services/index.js';
import { createHttpApp, registeredRoutes } from '../app.js';
import { openApiDocument } from './document.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** `/v1/users/:id` as OpenAPI writes it. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

describe('the OpenAPI document', () => {
  let app: FastifyInstance;
  before(async () => {
    // Routes reach the services only when called, and the docs routes need none; requests are counted.
    const services = {
      metrics: { httpRequests: { inc() {} }, httpDuration: { observe() {} } },
    } as unknown as CoordinatorServices;
    app = createHttpApp(services, {
      maxBodyBytes: 1024,
      logger: createLogger({ service: 'test', level: 'silent' }),
      metrics: metricsConfigSchema.parse({ enabled: true }),
    });
    await app.ready();
  });
  after(() => app.close());

  test('describes exactly the routes the HTTP app serves', () => {
    const served = new Set(registeredRoutes(app).map((r) => `${r.method} ${openApiPath(r.url)}`));
    assert.ok(served.size > 40, `only ${served.size} routes found`);
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(
      openApiDocument().paths as Record<string, Record<string, unknown>>,
    )) {
      for (const method of Object.keys(item).filter((key) => METHODS.includes(key))) {
        documented.add(`${method.toUpperCase()} ${path}`);
      }
    }
    assert.deepEqual(
      [...served].filter((route) => !documented.has(route)).sort(),
      [],
      'served but not documented',
    );
    assert.deepEqual(
      [...documented].filter((route) => !served.has(route)).sort(),
      [],
      'documented but not served',
    );
  });

  test('is a valid OpenAPI 3.1 document', async () => {
    const result = await validate(structuredClone(openApiDocument()) as never);
    assert.equal(result.valid, true, result.valid ? '' : compileErrors(result));
    assert.deepEqual(result.warnings, []);
  });

  test('every operation has a unique id, the error envelope for its errors, and security unless public', () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, Record<string, unknown>>> };
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const id = String(operation.operationId);
        assert.ok(!ids.has(id), `duplicate operationId ${id}`);
        ids.add(id);
        const responses = operation.responses as Record<string, { $ref?: string }>;
        assert.match(String(responses['500']?.$ref), /#\/components\/responses\//, `${method} ${path}: 500`);
        const open = Array.isArray(operation.security) && operation.security.length === 0;
        if (!open) assert.ok(responses['401'], `${method} ${path} needs credentials: 401 documented`);
        else
          assert.ok(/^\/(health|docs|metrics|v1\/openapi\.json)/.test(path), `${path} needs no credentials`);
      }
    }
  });

  test('serves the document and the docs page from the installed package', async () => {
    const document = await app.inject({ method: 'GET', url: '/v1/openapi.json' });
    assert.equal(document.statusCode, 200);
    assert.equal(document.json().openapi, '3.1.0');
    const page = await app.inject({ method: 'GET', url: '/docs' });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /^text\/html/);
    for (const src of page.body.matchAll(/(?:src|href)="(\/docs\/[^"]+)"/g)) {
      const asset = await app.inject({ method: 'GET', url: src[1] as string });
      assert.equal(asset.statusCode, 200, src[1]);
      assert.ok(asset.rawPayload.length > 0);
    }
    const missing = await app.inject({ method: 'GET', url: '/docs/package.json' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'NOT_FOUND');
    const traversal = await app.inject({ method: 'GET', url: '/docs/..%2Fpackage.json' });
    assert.equal(traversal.statusCode, 404);
  });
});
