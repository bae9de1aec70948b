import type { Authenticator, Credentials, Principal } from '../auth/index.js';
import type { RateLimitState, RateLimits } from '../limits/index.js';

export interface Admitted {
  principal: Principal;
  /** Where the caller stands against its request limit; absent when limits are off. */
  rateLimit?: RateLimitState;
}

/**
 * The first step of every request on every protocol: authenticate, then
 * count the request against the caller's rate limit (RATE_LIMITED when it
 * is used up). Transports call this and nothing else to let a request in.
 */
export class RequestAdmission {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly limits?: RateLimits,
  ) {}

  async admit(credentials: Credentials): Promise<Admitted> {
    const principal = await this.authenticator.authenticate(credentials);
    const rateLimit = await this.limits?.admitRequest(principal);
    return { principal, rateLimit };
  }
}
