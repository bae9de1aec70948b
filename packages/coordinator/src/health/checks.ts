import type { CheckResult } from '@tributary/core';
import type { Catalog, EdgeRegistry } from '../catalog/index.js';
import type { Store } from '../store/index.js';

/** The store answers a read: one indexed lookup of the coordinator's tenant. */
export function storeCheck(store: Pick<Store, 'tenants'>, tenant: string) {
  return async (): Promise<CheckResult> => {
    await store.tenants.get(tenant);
    return { ok: true };
  };
}

/** At least one edge is registered, and every source the catalog knows has a live edge serving it. */
export function sourcesCheck(catalog: Catalog, registry: EdgeRegistry) {
  return (): CheckResult => {
    const edges = registry.list().length;
    const sources = catalog.snapshot().sources;
    const offline = sources.filter((s) => !s.healthy).map((s) => String(s.name));
    if (edges === 0) return { ok: false, detail: 'no edge registered' };
    const served = `${sources.length - offline.length} of ${sources.length} sources served by ${edges} edge(s)`;
    return offline.length === 0
      ? { ok: sources.length > 0, detail: served }
      : { ok: false, detail: `${served}; offline: ${offline.join(', ')}` };
  };
}
