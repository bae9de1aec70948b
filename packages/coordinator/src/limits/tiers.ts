import type { Principal } from '../auth/index.js';
import type { RateLimitsConfig } from '../config/coordinator-config.js';

export interface Tier {
  name: string;
  requestsPerMinute: number;
  concurrentQueries: number;
}

/**
 * A principal's tier: an agent's own tier, or its `tier` attribute (a stored user's attribute or a
 * token's attribute claim, both set by administrators or the identity
 * provider), else its tenant's configured tier, else the default tier. A
 * tenant's configured limits override those of its tier.
 */
export function tierOf(principal: Principal, config: RateLimitsConfig): Tier {
  const tenant = config.tenants[principal.tenant];
  // An agent has a tier of its own, set on the agent; otherwise it is its owner's.
  const attribute = principal.agent?.rateLimitTier || principal.attributes.tier;
  const own = typeof attribute === 'string' && Object.hasOwn(config.tiers, attribute) ? attribute : undefined;
  const named = own ?? tenant?.tier ?? config.default_tier;
  const limits = config.tiers[named] ?? { requests_per_minute: 60, concurrent_queries: 5 };
  // A principal with a tier of its own is not bound by its tenant's contract.
  const contract = own === undefined ? tenant : undefined;
  return {
    name: named,
    requestsPerMinute: contract?.requests_per_minute ?? limits.requests_per_minute,
    concurrentQueries: contract?.concurrent_queries ?? limits.concurrent_queries,
  };
}
