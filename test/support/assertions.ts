// Assertions shared by the end-to-end tests: the error model on both
// protocols, polling with a deadline, and small HTTP helpers.
import assert from 'node:assert/strict';
import type { ServiceError } from '@grpc/grpc-js';
import type { ServiceProcess } from '@tributary/cli';
import { ERROR_CODE_KEY, ERROR_CODES, type ErrorCode, REQUEST_ID_KEY, TributaryError } from '@tributary/core';
import type { Cluster } from './cluster.js';

type LogLine = Record<string, unknown>;

/**
 * Resolves with the first log line written *after* this call that matches.
 * Create it before the action that should cause the line, await it after.
 */
export function nextLogLine(
  service: ServiceProcess,
  match: (line: LogLine) => boolean,
  timeoutMs = 10_000,
): Promise<LogLine> {
  const seen = new Set(service.recentLogs());
  const line = service.waitFor((candidate) => !seen.has(candidate) && match(candidate), timeoutMs);
  line.catch(() => undefined); // observed by whoever awaits it
  return line;
}

/**
 * Polls `probe` until it returns a value other than undefined/false (or
 * stops throwing), failing after `timeoutMs` with the last reason.
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
  intervalMs = 50,
): Promise<Exclude<T, false | undefined>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as Exclude<T, false | undefined>;
      last = `returned ${String(value)}`;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const reason = last instanceof Error ? last.message : String(last);
      throw new assert.AssertionError({ message: `${what} not reached within ${timeoutMs} ms: ${reason}` });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves with how long `work` took, in milliseconds, and its outcome. */
export async function timed<T>(
  work: () => Promise<T>,
): Promise<{ ms: number; result: PromiseSettledResult<T> }> {
  const started = performance.now();
  const [result] = await Promise.allSettled([work()]);
  return { ms: performance.now() - started, result: result as PromiseSettledResult<T> };
}

export interface GrpcErrorExpectation {
  /** Whether the coordinator's `tributary-error-code` trailer must be present (not for client-side cancels). */
  trailer?: boolean;
}

/**
 * Awaits a rejected SDK call and checks the error model over gRPC: the
 * TributaryError code, the gRPC status code it maps to, and the
 * `tributary-error-code` and `x-request-id` trailers.
 */
export async function expectGrpcError(
  work: Promise<unknown> | (() => Promise<unknown>),
  code: ErrorCode,
  options: GrpcErrorExpectation = {},
): Promise<TributaryError> {
  let error: unknown;
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (caught) {
    error = caught;
  }
  assert.ok(error, `expected the call to fail with ${code}, but it succeeded`);
  assert.ok(error instanceof TributaryError, `expected a TributaryError, got ${String(error)}`);
  assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
  const cause = error.cause as Partial<ServiceError> | undefined;
  assert.equal(cause?.code, ERROR_CODES[code].grpc, `gRPC status for ${code}`);
  if (options.trailer ?? true) {
    assert.equal(cause?.metadata?.get(ERROR_CODE_KEY)[0], code, 'tributary-error-code trailer');
    const requestId = cause?.metadata?.get(REQUEST_ID_KEY)[0];
    assert.ok(typeof requestId === 'string' && requestId.length > 0, 'x-request-id trailer');
  }
  assert.ok(error.message.length > 0, 'the error has a message');
  return error;
}

export interface ErrorBody {
  error: { code: string; message: string; request_id: string; details?: Record<string, unknown> };
}

/**
 * Checks an HTTP error response: status, JSON envelope `{error:{code,
 * message, request_id}}`, and request_id equal to the x-request-id header.
 */
export async function expectHttpError(
  response: Response,
  status: number,
  code: ErrorCode,
): Promise<ErrorBody['error']> {
  const text = await response.text();
  assert.equal(response.status, status, `HTTP status (body: ${text.slice(0, 300)})`);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const body = JSON.parse(text) as ErrorBody;
  assert.equal(typeof body.error, 'object', 'error envelope');
  assert.equal(body.error.code, code, `error code (message: ${body.error.message})`);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0, 'the error has a message');
  const header = response.headers.get('x-request-id');
  assert.ok(header, 'x-request-id header');
  assert.equal(body.error.request_id, header, 'request_id matches the x-request-id header');
  return body.error;
}

export interface QueryBody {
  data: Record<string, unknown>[];
  metadata: {
    query_id: string;
    row_count: number;
    execution_time_ms: number;
    from_cache: boolean;
    bytes: number;
    batch_count: number;
    truncated: boolean;
    edges: string[];
  };
}

/** POST /v1/query as JSON, asserting success. */
export async function httpQuery(
  cluster: Cluster,
  sql: string,
  options: { params?: unknown[]; limit?: number } = {},
): Promise<QueryBody> {
  const response = await cluster.http('/v1/query', { method: 'POST', json: { sql, ...options } });
  const text = await response.text();
  assert.equal(response.status, 200, `POST /v1/query ${sql}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as QueryBody;
}

/** A JSON GET or POST that must succeed. */
export async function httpJson<T>(cluster: Cluster, path: string, json?: unknown): Promise<T> {
  const response = await cluster.http(path, json === undefined ? {} : { method: 'POST', json });
  const text = await response.text();
  assert.equal(response.status, 200, `${path}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}
