import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  acceptRequestId,
  acceptTraceContext,
  errorEnvelope,
  type Logger,
  splitHostPort,
  TributaryError,
  toTributaryError,
} from '@tributary/core';
import type { RequestContext } from '../../context.js';
import { rateLimitFields, refusalFields } from '../../limits/index.js';
import type { CoordinatorServices } from '../../services/index.js';
import { buildMcpServer } from './tools.js';

export const MCP_PATH = '/mcp';

export interface McpOptions {
  listen: string;
  maxBodyBytes: number;
  logger: Logger;
}

export interface RunningMcpServer {
  port: number;
  close(): Promise<void>;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new TributaryError('PAYLOAD_TOO_LARGE', 'request body is too large');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw TributaryError.invalid('request body is not valid JSON');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/**
 * The MCP server: Streamable HTTP at `/mcp`, stateless. Every HTTP request
 * is authenticated exactly like the HTTP gateway (bearer JWT or API key) and
 * gets its own McpServer bound to that principal, so no session can ever be
 * used by anyone but the caller presenting the credential.
 */
export async function startMcpServer(
  services: CoordinatorServices,
  options: McpOptions,
): Promise<RunningMcpServer> {
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = acceptRequestId(req.headers['x-request-id']);
    const trace = acceptTraceContext(req.headers.traceparent);
    const log = options.logger.child({ requestId, traceId: trace.traceId });
    const started = performance.now();
    res.setHeader('x-request-id', requestId);
    res.setHeader('x-trace-id', trace.traceId);
    res.on('finish', () =>
      log.info(
        { method: req.method, status: res.statusCode, ms: Math.round(performance.now() - started) },
        'mcp request',
      ),
    );
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== MCP_PATH)
        throw TributaryError.notFound(`no route ${req.method} ${path}; MCP is at ${MCP_PATH}`);
      const { principal, rateLimit } = await services.admission.admit({
        authorization: single(req.headers.authorization),
        apiKey: single(req.headers['x-api-key']),
      });
      for (const [name, value] of Object.entries(rateLimitFields(rateLimit))) res.setHeader(name, value);
      if (req.method !== 'POST') {
        // Stateless: no server-initiated stream (GET) and no session to end (DELETE).
        sendJson(
          res,
          405,
          { jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: use POST' }, id: null },
          { allow: 'POST' },
        );
        return;
      }
      const body = await readJson(req, options.maxBodyBytes);
      const controller = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) controller.abort();
      });
      const ctx: RequestContext = {
        requestId,
        trace,
        principal,
        protocol: 'mcp',
        signal: controller.signal,
        logger: log.child({ subject: principal.subject }),
        rateLimit,
      };
      const server = buildMcpServer(services, ctx);
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } catch (error) {
      const failure = toTributaryError(error);
      if (failure.code === 'INTERNAL') log.error({ err: error }, 'mcp request failed');
      else log.info({ code: failure.code, message: failure.message }, 'mcp request refused');
      const headers: Record<string, string> =
        failure.code === 'UNAUTHENTICATED' ? { 'www-authenticate': 'Bearer' } : refusalFields(failure);
      sendJson(res, failure.httpStatus, errorEnvelope(failure, requestId), headers);
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  const { host, port } = splitHostPort(options.listen);
  server.listen(port, host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => {
      throw error;
    }),
  ]);
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
