import { type Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { ERROR_CODE_KEY, TributaryError } from '@tributary/core';
import { type FailureVerdict, parsePushback, parseRetryAfter } from '../retry/index.js';

function first(metadata: Metadata | undefined, key: string): string | undefined {
  const value = metadata?.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Which gRPC failures are passing: UNAVAILABLE (no connection, the
 * coordinator or an edge briefly away), and RESOURCE_EXHAUSTED when it is a
 * rate limit — declared by the `tributary-error-code` trailer or carrying a
 * retry hint — never an oversized message, which shares the status. A
 * `retry-after` (seconds) or `grpc-retry-pushback-ms` trailer sets the wait;
 * a negative pushback means "do not retry".
 */
export function classifyGrpcFailure(error: unknown): FailureVerdict {
  const raw = (error instanceof TributaryError ? error.cause : error) as Partial<ServiceError> | undefined;
  if (typeof raw?.code !== 'number') return { retry: false };
  const trailers = raw.metadata;
  const pushback = parsePushback(first(trailers, 'grpc-retry-pushback-ms'));
  if (pushback === 'stop') return { retry: false };
  const afterMs = pushback ?? parseRetryAfter(first(trailers, 'retry-after'));
  if (raw.code === status.UNAVAILABLE) return { retry: true, afterMs };
  if (raw.code === status.RESOURCE_EXHAUSTED) {
    const declared = first(trailers, ERROR_CODE_KEY);
    if (declared === 'RATE_LIMITED' || (declared === undefined && afterMs !== undefined)) {
      return { retry: true, afterMs };
    }
  }
  return { retry: false };
}
