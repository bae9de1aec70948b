import { type Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { ERROR_CODE_KEY, RETRY_AFTER_KEY, TributaryError } from '@tributary/core';
import { type FailureVerdict, parsePushback, parseRetryAfter } from '../retry/index.js';

function first(metadata: Metadata | undefined, key: string): string | undefined {
  const value = metadata?.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

/** The error's own `retry_after_ms` detail, as the coordinator sets it on rate limits. */
function detailedRetryAfter(error: unknown): number | undefined {
  const value = error instanceof TributaryError ? Number(error.details?.retry_after_ms) : Number.NaN;
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Which gRPC failures are passing: UNAVAILABLE (no connection, the
 * coordinator or an edge briefly away), and RESOURCE_EXHAUSTED when it is a
 * rate limit — declared by the `tributary-error-code` trailer or carrying a
 * retry hint — never an oversized message, which shares the status. The
 * wait comes from `grpc-retry-pushback-ms`, the error's `retry_after_ms`
 * detail or `retry-after` (whole seconds); a negative pushback means "do not retry".
 */
export function classifyGrpcFailure(error: unknown): FailureVerdict {
  const raw = (error instanceof TributaryError ? error.cause : error) as Partial<ServiceError> | undefined;
  if (typeof raw?.code !== 'number') return { retry: false };
  const trailers = raw.metadata;
  const pushback = parsePushback(first(trailers, 'grpc-retry-pushback-ms'));
  if (pushback === 'stop') return { retry: false };
  const afterMs = pushback ?? detailedRetryAfter(error) ?? parseRetryAfter(first(trailers, RETRY_AFTER_KEY));
  if (raw.code === status.UNAVAILABLE) return { retry: true, afterMs };
  if (raw.code === status.RESOURCE_EXHAUSTED) {
    const declared = first(trailers, ERROR_CODE_KEY);
    if (declared === 'RATE_LIMITED' || (declared === undefined && afterMs !== undefined)) {
      return { retry: true, afterMs };
    }
  }
  return { retry: false };
}
