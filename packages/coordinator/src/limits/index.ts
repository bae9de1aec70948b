export { EdgeSlots } from './edge-slots.js';
export {
  checkLimitSettings,
  LIMIT_SETTINGS,
  limitsWith,
  NO_LIMITS,
  type QueryLimits,
} from './query-limits.js';
export {
  type RateLimitState,
  RateLimits,
  type RejectionListener,
  rateLimitFields,
  refusalFields,
} from './rate-limits.js';
export { TenantLimits } from './tenant-limits.js';
export { type Tier, tierOf } from './tiers.js';
