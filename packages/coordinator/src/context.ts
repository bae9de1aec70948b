import type { Logger, TraceContext } from '@tributary/core';
import type { Principal } from './auth/index.js';
import type { RateLimitState } from './limits/index.js';

export type Protocol = 'grpc' | 'grpc-web' | 'http' | 'mcp';

/**
 * Everything a service needs to know about one request, passed explicitly
 * from the transport that received it. Services never learn more about the
 * protocol than its name, which is recorded for audit.
 */
export interface RequestContext {
  requestId: string;
  /** The distributed trace this request belongs to; every transport sets it, and it travels on to the edge. */
  trace?: TraceContext;
  principal: Principal;
  protocol: Protocol;
  /** Fires when the caller goes away or its deadline passes. */
  signal: AbortSignal;
  /** Absolute deadline (epoch ms) the caller set, if any. */
  deadline?: number;
  logger: Logger;
  /** The caller's request limit after counting this request, for the response to report. */
  rateLimit?: RateLimitState;
}
