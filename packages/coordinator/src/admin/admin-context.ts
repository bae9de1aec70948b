import { TributaryError } from '@tributary/core';
import { requireScope } from '../auth/index.js';
import type { RequestContext } from '../context.js';
import { ADMIN_ROLE } from '../store/index.js';

declare const admin: unique symbol;

/**
 * A request context whose principal was checked to be an admin. Only
 * `requireAdmin` makes one, and every admin operation takes one, so an
 * operation cannot be reached without the check.
 */
export type AdminContext = RequestContext & { readonly [admin]: true; readonly tenant: string };

/** Admin calls need the `admin` role and, on a scoped API key, the `admin` scope. */
export function requireAdmin(ctx: RequestContext): AdminContext {
  if (!ctx.principal.roles.includes(ADMIN_ROLE)) {
    throw new TributaryError('UNAUTHORIZED', 'administration needs the admin role');
  }
  requireScope(ctx.principal, 'admin');
  return { ...ctx, tenant: ctx.principal.tenant } as AdminContext;
}
