import { TributaryError } from '@tributary/core';
import type { Principal } from '../auth/index.js';
import type { RateLimitsConfig } from '../config/coordinator-config.js';
import type { SharedState } from '../shared-state/index.js';
import { type Tier, tierOf } from './tiers.js';

const MINUTE_MS = 60_000;

/** Where a request stands against its limits, as response headers report it. */
export interface RateLimitState {
  tier: string;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/** Told of every request refused for its rate limit. */
export type RejectionListener = (tier: string, kind: 'requests' | 'concurrency') => void;

/**
 * Requests per minute and concurrent queries per identity (tenant and
 * subject), counted in the shared state so the limits hold across every
 * replica and every protocol.
 */
export class RateLimits {
  private readonly listeners: RejectionListener[] = [];

  constructor(
    private readonly config: RateLimitsConfig,
    private readonly state: SharedState,
  ) {}

  get enabled(): boolean {
    return this.config.enabled;
  }

  onRejection(listener: RejectionListener): void {
    this.listeners.push(listener);
  }

  tierOf(principal: Principal): Tier {
    return tierOf(principal, this.config);
  }

  /** Counts one request; RATE_LIMITED when the identity's minute is used up. */
  async admitRequest(principal: Principal): Promise<RateLimitState | undefined> {
    if (!this.config.enabled) return undefined;
    const tier = this.tierOf(principal);
    const window = this.state.requestWindow(`requests:${tier.name}`, tier.requestsPerMinute, MINUTE_MS);
    const counted = await window.consume(identityKey(principal));
    const state: RateLimitState = {
      tier: tier.name,
      limit: counted.limit,
      remaining: counted.remaining,
      resetSeconds: Math.ceil(counted.resetMs / 1000),
    };
    if (counted.allowed) return state;
    this.reject(tier.name, 'requests');
    throw rateLimited(
      `rate limit exceeded: ${tier.requestsPerMinute} requests per minute (tier ${tier.name})`,
      state,
      Math.max(1, state.resetSeconds),
    );
  }

  /**
   * Takes one of the identity's concurrent-query slots for at most
   * `leaseMs`; the returned function gives it back (idempotent).
   */
  async acquireQuerySlot(principal: Principal, leaseMs: number): Promise<() => void> {
    if (!this.config.enabled) return () => undefined;
    const tier = this.tierOf(principal);
    const grant = await this.state.slots.acquire(
      `queries:${identityKey(principal)}`,
      tier.concurrentQueries,
      leaseMs,
    );
    if (grant.acquired) return grant.release;
    this.reject(tier.name, 'concurrency');
    throw rateLimited(
      `too many concurrent queries: at most ${tier.concurrentQueries} (tier ${tier.name})`,
      { tier: tier.name, limit: tier.concurrentQueries, remaining: 0, resetSeconds: 1 },
      1,
    );
  }

  private reject(tier: string, kind: 'requests' | 'concurrency'): void {
    for (const listener of this.listeners) listener(tier, kind);
  }
}

/** An agent is counted apart from its owner, whose subject it carries. */
function identityKey(principal: Principal): string {
  const who = principal.agent ? `agent:${principal.agent.id}` : principal.subject;
  return `${principal.tenant}\u0000${who}`;
}

function rateLimited(message: string, state: RateLimitState, retryAfterSeconds: number): TributaryError {
  return new TributaryError('RATE_LIMITED', message, {
    tier: state.tier,
    limit: state.limit,
    remaining: state.remaining,
    reset_seconds: state.resetSeconds,
    // The error model's retry hint: clients (and the gRPC and HTTP mappings) read it.
    retry_after_ms: retryAfterSeconds * 1000,
  });
}

/**
 * The headers (HTTP) or metadata entries (gRPC) that report a rate limit:
 * `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`, and
 * `Retry-After` on a refusal. Lower-case, as gRPC metadata requires.
 */
export function rateLimitFields(state: RateLimitState | undefined): Record<string, string> {
  if (!state) return {};
  return {
    'ratelimit-limit': String(state.limit),
    'ratelimit-remaining': String(state.remaining),
    'ratelimit-reset': String(state.resetSeconds),
  };
}

/** The fields of a RATE_LIMITED refusal, read back from its details; empty for other errors. */
export function refusalFields(error: TributaryError): Record<string, string> {
  if (error.code !== 'RATE_LIMITED' || !error.details) return {};
  const { limit, remaining, reset_seconds, retry_after_ms } = error.details;
  const fields: Record<string, string> = {};
  if (limit !== undefined) fields['ratelimit-limit'] = String(limit);
  if (remaining !== undefined) fields['ratelimit-remaining'] = String(remaining);
  if (reset_seconds !== undefined) fields['ratelimit-reset'] = String(reset_seconds);
  if (typeof retry_after_ms === 'number') fields['retry-after'] = String(Math.ceil(retry_after_ms / 1000));
  return fields;
}
