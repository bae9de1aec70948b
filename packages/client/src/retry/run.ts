import { TributaryError } from '@tributary/core/web';
import { backoffDelay, type RetryPolicy } from './policy.js';

/** What the transport concludes about a failed attempt. */
export type FailureVerdict = { retry: false } | { retry: true; afterMs?: number };

/** Decides whether an attempt's failure is worth another attempt. Transport-specific. */
export type FailureClassifier = (error: unknown) => FailureVerdict;

export interface RetryEvent {
  /** The attempt that failed (1 for the first). */
  attempt: number;
  /** How long the client waits before the next attempt (ms). */
  delayMs: number;
  error: unknown;
}

export interface RetryContext {
  policy: RetryPolicy;
  classify: FailureClassifier;
  /** Aborting stops at once: no further attempt, and a pending wait ends with CANCELLED. */
  signal?: AbortSignal;
  /** The call's deadline (ms since the epoch): no attempt starts at or after it. */
  deadline?: number;
  /** Observes each retry before its wait, e.g. to log it. */
  onRetry?: (event: RetryEvent) => void;
  random?: () => number;
}

/** The error a cancelled call ends with: the abort reason when it is one of ours (e.g. "the client is closed"). */
function cancelled(signal: AbortSignal | undefined): TributaryError {
  return signal?.reason instanceof TributaryError
    ? signal.reason
    : new TributaryError('CANCELLED', 'the call was cancelled');
}

/** The wait before the next attempt, or undefined to give up and surface `error`. */
function nextDelay(
  error: unknown,
  attempt: number,
  startedAt: number,
  context: RetryContext,
): number | undefined {
  if (context.signal?.aborted || attempt >= context.policy.maxAttempts) return undefined;
  const verdict = context.classify(error);
  if (!verdict.retry) return undefined;
  const delayMs = verdict.afterMs ?? backoffDelay(context.policy, attempt, context.random);
  const resumeAt = Date.now() + delayMs;
  if (resumeAt > startedAt + context.policy.maxElapsedMs) return undefined;
  if (context.deadline !== undefined && resumeAt >= context.deadline) return undefined;
  context.onRetry?.({ attempt, delayMs, error });
  return delayMs;
}

// Hand-written rather than node:timers/promises so the module also runs in
// browsers (the gRPC-Web client).
function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, the failure is not retryable, or the
 * policy, deadline or signal says stop; the last failure is what surfaces.
 * Only for calls that are safe to repeat.
 */
export async function retrying<T>(attempt: (n: number) => Promise<T>, context: RetryContext): Promise<T> {
  const startedAt = Date.now();
  for (let n = 1; ; n++) {
    if (context.signal?.aborted) throw cancelled(context.signal);
    try {
      return await attempt(n);
    } catch (error) {
      // Cancelled: no retry; a reason of ours (e.g. "the client is closed") says why.
      if (context.signal?.aborted)
        throw context.signal.reason instanceof TributaryError ? context.signal.reason : error;
      const delayMs = nextDelay(error, n, startedAt, context);
      if (delayMs === undefined) throw error;
      await wait(delayMs, context.signal);
    }
  }
}

/**
 * A server stream that is reopened while it fails before its first message.
 * From the first message on it is committed: part of the result has reached
 * the caller, so a later failure surfaces as it is.
 */
export async function* retryingStream<T>(
  open: (n: number) => AsyncIterable<T>,
  context: RetryContext,
): AsyncGenerator<T> {
  const startedAt = Date.now();
  let iterator: AsyncIterator<T> | undefined;
  let first: IteratorResult<T> | undefined;
  for (let n = 1; first === undefined; n++) {
    if (context.signal?.aborted) throw cancelled(context.signal);
    iterator = open(n)[Symbol.asyncIterator]();
    try {
      first = await iterator.next();
    } catch (error) {
      // Cancelled: no retry; a reason of ours (e.g. "the client is closed") says why.
      if (context.signal?.aborted)
        throw context.signal.reason instanceof TributaryError ? context.signal.reason : error;
      const delayMs = nextDelay(error, n, startedAt, context);
      if (delayMs === undefined) throw error;
      await wait(delayMs, context.signal);
    }
  }
  if (first.done || !iterator) return;
  try {
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  } finally {
    // Ends the underlying call when the consumer stops early.
    await iterator.return?.();
  }
}
