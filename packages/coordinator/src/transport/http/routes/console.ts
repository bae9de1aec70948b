import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { TributaryError } from '@tributary/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where the console's built files are and how browsers reach gRPC-Web. */
export interface ConsoleOptions {
  /** The console's dist/ folder; undefined or missing when it was not built. */
  dir: string | undefined;
  /** An explicit gRPC-Web URL (behind a proxy or load balancer). */
  grpcWebUrl?: string;
  /** Otherwise: the gRPC-Web port on the host the browser used to reach this page. */
  grpcWebPort?: number;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

interface StaticFile {
  body: Buffer;
  type: string;
}

/** The built files, read once at start: a few hundred KiB, served from memory. */
function readStaticFiles(dir: string | undefined): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!dir || !existsSync(join(dir, 'index.html'))) return files;
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder)) {
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const type = CONTENT_TYPES[extname(entry)];
        if (type) files.set(relative(dir, path).split('\\').join('/'), { body: readFileSync(path), type });
      }
    }
  };
  walk(dir);
  return files;
}

/**
 * The gRPC-Web URL for a browser that loaded the console from `host`: the
 * configured one, else the same host name on the gRPC-Web port. The Host
 * header only shapes the answer to its own request, which is never cached.
 */
function grpcWebUrlFor(request: FastifyRequest, options: ConsoleOptions): string | null {
  if (options.grpcWebUrl) return options.grpcWebUrl.replace(/\/+$/, '');
  if (options.grpcWebPort === undefined) return null;
  try {
    const page = new URL(`${request.protocol}://${request.headers.host ?? ''}`);
    return `${page.protocol}//${page.hostname}:${options.grpcWebPort}`;
  } catch {
    return null;
  }
}

/**
 * Strict: only the console's own scripts and styles, no inline code or eval,
 * no framing, and network access only to this origin and the gRPC-Web
 * endpoint. 'wasm-unsafe-eval' allows WebAssembly compilation only (not
 * JavaScript eval): long.js, which decodes 64-bit protobuf fields, compiles
 * a small WebAssembly module for 64-bit arithmetic.
 */
function contentSecurityPolicy(grpcWebUrl: string | null): string {
  const connect = ["'self'", grpcWebUrl ? new URL(grpcWebUrl).origin : undefined].filter(Boolean).join(' ');
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The web console at `/console`: static files built by packages/console, and its configuration. */
export function consoleRoutes(app: FastifyInstance, options: ConsoleOptions): void {
  const files = readStaticFiles(options.dir);

  const send = (request: FastifyRequest, reply: FastifyReply, path: string) => {
    const file = files.get(path);
    if (!file) {
      throw TributaryError.notFound(
        files.size === 0 ? 'the console is not built (run npm run build)' : `no console file ${path}`,
      );
    }
    // Hashed asset names never change content: cache them for good. Everything else is revalidated.
    const immutable = path.startsWith('assets/');
    return reply
      .header('content-type', file.type)
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('content-security-policy', contentSecurityPolicy(grpcWebUrlFor(request, options)))
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .send(file.body);
  };

  app.get('/console', (_request, reply) => reply.redirect('/console/', 308));
  app.get('/console/', (request, reply) => send(request, reply, 'index.html'));
  app.get('/console/config.json', (request, reply) =>
    reply
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send({ grpcWebUrl: grpcWebUrlFor(request, options) }),
  );
  app.get<{ Params: { '*': string } }>('/console/assets/*', (request, reply) =>
    send(request, reply, `assets/${request.params['*']}`),
  );
}
