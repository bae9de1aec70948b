// Transport-independent retries of idempotent calls: each transport supplies
// the attempt and a classifier of its failures.
export {
  backoffDelay,
  DEFAULT_RETRY,
  NO_RETRY,
  type RetryOptions,
  type RetryPolicy,
  retryPolicy,
} from './policy.js';
export { parsePushback, parseRetryAfter } from './retry-after.js';
export {
  type FailureClassifier,
  type FailureVerdict,
  type RetryContext,
  type RetryEvent,
  retrying,
  retryingStream,
} from './run.js';
