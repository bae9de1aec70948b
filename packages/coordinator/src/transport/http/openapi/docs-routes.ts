import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TributaryError } from '@tributary/core';
import type { FastifyInstance } from 'fastify';
import { openApiDocument } from './document.js';

/** Files of swagger-ui-dist the page loads; nothing else in the package is served. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Tributary HTTP API</title>
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/v1/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

/**
 * GET /v1/openapi.json and the browsable docs at /docs: Swagger UI from the
 * installed swagger-ui-dist package (no CDN), pointed at the document.
 */
export function docsRoutes(app: FastifyInstance): void {
  const document = JSON.stringify(openApiDocument());
  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Buffer>();

  app.get('/v1/openapi.json', async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(document),
  );
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get<{ Params: { file: string } }>('/docs/:file', async (request, reply) => {
    const { file } = request.params;
    if (file === 'init.js') return reply.type('text/javascript; charset=utf-8').send(INIT);
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!type) throw TributaryError.notFound(`no file ${file}`);
    let bytes = cache.get(file);
    if (!bytes) {
      bytes = await readFile(join(dist, file));
      cache.set(file, bytes);
    }
    return reply.type(type).header('cache-control', 'public, max-age=3600').send(bytes);
  });
}
