import type { TenantRepository } from '../store/index.js';
import { limitsWith, type QueryLimits } from './query-limits.js';

/** How long a tenant's limits are reused before the store is read again. */
const FRESH_MS = 1_000;

/**
 * Each tenant's query limits: the configured defaults with the tenant's
 * `limits.*` settings applied. Reads are reused for a second, or until the
 * store changes through this coordinator, so limits stay off the latency path.
 */
export class TenantLimits {
  private readonly cache = new Map<string, { limits: QueryLimits; at: number; generation: number }>();

  constructor(
    private readonly tenants: Pick<TenantRepository, 'get'>,
    private readonly defaults: QueryLimits,
    private readonly generation: () => number = () => 0,
  ) {}

  async of(tenant: string): Promise<QueryLimits> {
    const now = Date.now();
    const generation = this.generation();
    const hit = this.cache.get(tenant);
    if (hit && hit.generation === generation && now - hit.at < FRESH_MS) return hit.limits;
    const record = await this.tenants.get(tenant);
    const limits = limitsWith(this.defaults, record?.settings ?? {});
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(tenant, { limits, at: now, generation });
    return limits;
  }
}
