import type { Tenant__Input, UpdateTenantRequest } from '@tributary/core';
import { checkLimitSettings } from '../limits/index.js';
import type { AdminContext } from './admin-context.js';
import { type AdminDeps, recordChange } from './admin-deps.js';
import * as input from './input.js';
import { tenantView } from './views.js';

/** The caller's tenant: its name and settings. The hash salt is read-only. */
export class TenantAdmin {
  constructor(private readonly deps: AdminDeps) {}

  async get(ctx: AdminContext): Promise<Tenant__Input> {
    return tenantView(await this.deps.store.tenants.ensure(ctx.tenant));
  }

  async update(ctx: AdminContext, request: Partial<UpdateTenantRequest>): Promise<Tenant__Input> {
    const displayName =
      request.display_name === undefined
        ? undefined
        : input.text(request.display_name, 'display_name', { max: 200, required: true });
    const setSettings = input.settings(request.set_settings);
    checkLimitSettings(setSettings);
    const removeSettings = (request.remove_settings ?? []).map((key) =>
      input.keyName(key, 'remove_settings'),
    );
    const before = await this.deps.store.tenants.ensure(ctx.tenant);
    const after = await this.deps.store.tenants.update(ctx.tenant, {
      displayName,
      setSettings,
      removeSettings,
    });
    recordChange(this.deps, ctx, {
      action: 'tenant.update',
      target: ctx.tenant,
      before: tenantView(before),
      after: tenantView(after),
    });
    return tenantView(after);
  }
}
