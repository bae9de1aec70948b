import { TributaryError } from '@tributary/core/web';

/** How a client retries idempotent calls that failed for a passing reason. */
export interface RetryOptions {
  /** Attempts in all, the first included; 1 turns retries off. Default 4. */
  maxAttempts?: number;
  /** The cap of the first backoff (ms). Default 100. */
  initialBackoffMs?: number;
  /** No backoff is capped higher than this (ms). Default 5,000. */
  maxBackoffMs?: number;
  /** Growth of the backoff cap from one retry to the next. Default 2. */
  multiplier?: number;
  /**
   * No retry starts later than this after the first attempt began (ms).
   * Default 30,000. A call's own deadline also bounds every attempt.
   */
  maxElapsedMs?: number;
}

export type RetryPolicy = Readonly<Required<RetryOptions>>;

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  maxAttempts: 4,
  initialBackoffMs: 100,
  maxBackoffMs: 5_000,
  multiplier: 2,
  maxElapsedMs: 30_000,
});

export const NO_RETRY: RetryPolicy = Object.freeze({ ...DEFAULT_RETRY, maxAttempts: 1 });

/**
 * The policy in force for one call: each layer (client settings, then the
 * call's) overrides the one before; `false` turns retries off.
 */
export function retryPolicy(...layers: (RetryOptions | false | undefined)[]): RetryPolicy {
  let policy: RetryPolicy = DEFAULT_RETRY;
  for (const layer of layers) {
    if (layer === false) policy = NO_RETRY;
    else if (layer) policy = { ...policy, ...withoutUndefined(layer) };
  }
  check(policy);
  return policy;
}

function withoutUndefined(options: RetryOptions): RetryOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

function check(policy: RetryPolicy): void {
  const problems: string[] = [];
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1)
    problems.push('maxAttempts must be an integer ≥ 1');
  for (const key of ['initialBackoffMs', 'maxBackoffMs', 'maxElapsedMs'] as const) {
    if (!Number.isFinite(policy[key]) || policy[key] < 0) problems.push(`${key} must be a number ≥ 0`);
  }
  if (!Number.isFinite(policy.multiplier) || policy.multiplier < 1)
    problems.push('multiplier must be a number ≥ 1');
  if (problems.length > 0) throw TributaryError.invalid(`invalid retry options: ${problems.join('; ')}`);
}

/**
 * The wait before retry number `retry` (1 for the first retry): "full
 * jitter", a uniformly random time between 0 and the capped exponential
 * backoff, so clients that failed together do not come back together.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.multiplier ** (retry - 1));
  return Math.floor(random() * cap);
}
