import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Client, credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { GRPC_CHANNEL_OPTIONS, type Logger, splitHostPort, tributaryV1 } from '@tributary/core';

/**
 * gRPC-Web for browsers, as a thin proxy: each call is forwarded over
 * loopback to the coordinator's own gRPC port with the caller's metadata and
 * deadline, with the request and response bytes passed through untouched, so
 * the very same handlers (auth, governance, relaying) serve both protocols.
 */
export interface GrpcWebOptions {
  listen: string;
  allowedOrigins: string[];
  /** The coordinator's native gRPC address, e.g. `127.0.0.1:50051`. */
  upstream: string;
  maxRequestBytes: number;
  logger: Logger;
}

export interface RunningGrpcWeb {
  port: number;
  close(): Promise<void>;
}

const PUBLIC_SERVICES = ['CatalogService', 'QueryService', 'AdminService', 'AgentService'] as const;
const FORWARDED_HEADERS = ['authorization', 'x-api-key', 'x-request-id', 'traceparent'];
const ALLOW_HEADERS =
  'content-type, x-grpc-web, x-user-agent, authorization, x-api-key, x-request-id, traceparent, grpc-timeout';
const EXPOSE_HEADERS =
  'grpc-status, grpc-message, tributary-error-code, tributary-error-details-bin, x-request-id, x-query-id';
/** Headers a gRPC server sends that are transport, not application metadata. */
const SKIPPED_METADATA = new Set(['content-type', 'grpc-encoding', 'grpc-accept-encoding', 'user-agent']);

/** The public unary and server-streaming methods by path; everything else is UNIMPLEMENTED. */
function publicMethods(): Set<string> {
  const v1 = tributaryV1() as unknown as Record<
    string,
    { service: Record<string, { path: string; requestStream: boolean }> }
  >;
  const paths = new Set<string>();
  for (const name of PUBLIC_SERVICES) {
    for (const method of Object.values(v1[name]?.service ?? {})) {
      if (!method.requestStream) paths.add(method.path);
    }
  }
  return paths;
}

/** `grpc-timeout` (`<digits><H|M|S|m|u|n>`) in milliseconds, or undefined. */
export function parseGrpcTimeout(value: string | undefined): number | undefined {
  const match = value?.match(/^(\d{1,8})([HMSmun])$/);
  if (!match) return undefined;
  const units: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 1e-3, n: 1e-6 };
  return Number(match[1]) * (units[match[2] as string] as number);
}

/** Percent-encodes a grpc-message as the gRPC spec asks (bytes outside 0x20–0x7E, and `%`). */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Base64 text that may be several padded base64 strings concatenated (one per write). */
export function decodeBase64Chunks(text: string): Buffer {
  const clean = text.replace(/\s+/g, '');
  const parts: Buffer[] = [];
  for (const segment of clean.match(/[^=]+={0,2}|={1,2}/g) ?? []) parts.push(Buffer.from(segment, 'base64'));
  return Buffer.concat(parts);
}

export function frame(flag: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(flag, 0);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

function metadataHeaders(metadata: Metadata | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata?.getMap() ?? {})) {
    if (key.startsWith(':') || SKIPPED_METADATA.has(key)) continue;
    headers[key] = Buffer.isBuffer(value) ? value.toString('base64') : String(value);
  }
  return headers;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size > limit) {
        resolve(undefined);
        req.resume();
        return;
      }
      parts.push(part);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(parts)));
    req.on('error', reject);
  });
}

export async function startGrpcWeb(options: GrpcWebOptions): Promise<RunningGrpcWeb> {
  const methods = publicMethods();
  const upstream = new Client(options.upstream, credentials.createInsecure(), GRPC_CHANNEL_OPTIONS);
  const anyOrigin = options.allowedOrigins.includes('*');
  const allowed = new Set(options.allowedOrigins);

  function cors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (!origin) return true;
    if (!anyOrigin && !allowed.has(origin)) return false;
    res.setHeader('access-control-allow-origin', anyOrigin ? '*' : origin);
    if (!anyOrigin) res.setHeader('vary', 'origin');
    res.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
    return true;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!cors(req, res)) {
      res.writeHead(403).end();
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': ALLOW_HEADERS,
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST, OPTIONS' }).end();
      return;
    }
    const contentType = String(req.headers['content-type'] ?? '');
    if (!contentType.startsWith('application/grpc-web')) {
      res.writeHead(415).end();
      return;
    }
    const text = contentType.startsWith('application/grpc-web-text');
    const responseType = text ? 'application/grpc-web-text+proto' : 'application/grpc-web+proto';
    let headersSent = false;
    let ended = false;
    const encode = (bytes: Buffer) => (text ? Buffer.from(bytes.toString('base64')) : bytes);

    /** Ends the call: a trailer frame after data, or trailers-only (status in the HTTP headers). */
    const finish = (code: number, message: string, trailers: Record<string, string>) => {
      if (ended) return;
      ended = true;
      const all = { ...trailers, 'grpc-status': String(code), 'grpc-message': encodeGrpcMessage(message) };
      if (!headersSent) {
        res.writeHead(200, { 'content-type': responseType, ...all });
        res.end();
        return;
      }
      const block = Object.entries(all)
        .map(([key, value]) => `${key}: ${value}\r\n`)
        .join('');
      res.end(encode(frame(0x80, Buffer.from(block))));
    };

    const path = req.url?.split('?')[0] ?? '';
    const raw = await readBody(req, options.maxRequestBytes);
    if (!raw) {
      finish(status.RESOURCE_EXHAUSTED, 'request too large', {});
      return;
    }
    if (!methods.has(path)) {
      finish(status.UNIMPLEMENTED, `method ${path} is not available over gRPC-Web`, {});
      return;
    }
    const body = text ? decodeBase64Chunks(raw.toString('latin1')) : raw;
    if (body.length < 5 || body.readUInt8(0) !== 0 || body.readUInt32BE(1) !== body.length - 5) {
      finish(status.INVALID_ARGUMENT, 'expected one uncompressed gRPC-Web message frame', {});
      return;
    }
    const message = body.subarray(5);

    const metadata = new Metadata();
    for (const key of FORWARDED_HEADERS) {
      const value = req.headers[key];
      if (typeof value === 'string' && value) metadata.set(key, value);
    }
    const timeoutMs = parseGrpcTimeout(req.headers['grpc-timeout'] as string | undefined);
    const identity = (bytes: Buffer) => bytes;
    // Unary and server-streaming calls are the same on the wire: one request, N responses.
    const call = upstream.makeServerStreamRequest<Buffer, Buffer>(
      path,
      identity,
      identity,
      message,
      metadata,
      timeoutMs === undefined ? {} : { deadline: Date.now() + timeoutMs },
    );
    let initial: Metadata | undefined;
    let finalStatus: { code: number; details: string; metadata: Metadata } | undefined;
    let streamDone = false;
    const maybeFinish = () => {
      if (finalStatus && streamDone) {
        finish(finalStatus.code, finalStatus.details, metadataHeaders(finalStatus.metadata));
      }
    };
    call.on('metadata', (received: Metadata) => {
      initial = received;
    });
    call.on('data', (bytes: Buffer) => {
      if (ended) return;
      if (!headersSent) {
        headersSent = true;
        res.writeHead(200, { 'content-type': responseType, ...metadataHeaders(initial) });
      }
      if (!res.write(encode(frame(0x00, bytes)))) {
        call.pause();
        res.once('drain', () => call.resume());
      }
    });
    call.on('error', (_error: ServiceError) => {
      // The status event carries the same outcome with its trailers.
      streamDone = true;
      maybeFinish();
    });
    call.on('end', () => {
      streamDone = true;
      maybeFinish();
    });
    call.on('status', (received) => {
      finalStatus = received;
      if (received.code !== status.OK && call.readableLength === 0) streamDone = true;
      maybeFinish();
    });
    res.on('close', () => {
      if (!ended) {
        ended = true;
        call.cancel();
      }
    });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.logger.error({ err: error }, 'grpc-web request failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const { host, port } = splitHostPort(options.listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        upstream.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
