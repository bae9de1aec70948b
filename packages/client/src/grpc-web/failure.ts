import { TributaryError } from '@tributary/core/web';
import type { FailureVerdict } from '../retry/index.js';

/**
 * Which gRPC-Web failures are passing. The gateway's trailers have already
 * become a TributaryError with the coordinator's own code, so this reads the
 * code rather than the gRPC status: UNAVAILABLE (the gateway, coordinator or
 * an edge briefly away) and RATE_LIMITED, waiting as its `retry_after_ms`
 * detail says. Everything else, PAYLOAD_TOO_LARGE included, is final.
 */
export function classifyWebFailure(error: unknown): FailureVerdict {
  if (!(error instanceof TributaryError)) return { retry: false };
  const hinted = Number(error.details?.retry_after_ms);
  const afterMs = Number.isFinite(hinted) && hinted >= 0 ? hinted : undefined;
  if (error.code === 'UNAVAILABLE' || error.code === 'RATE_LIMITED') return { retry: true, afterMs };
  return { retry: false };
}
