import { TributaryError } from '@tributary/core';
import type { Principal } from './principal.js';

export const API_KEY_SCOPES = ['query', 'catalog', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Refuses a credential narrowed to scopes that do not include `scope`. */
export function requireScope(principal: Principal, scope: ApiKeyScope): void {
  if (principal.scopes && !principal.scopes.includes(scope)) {
    throw new TributaryError('UNAUTHORIZED', `this API key does not have the "${scope}" scope`);
  }
}

/** An admin of the principal's tenant, with a credential that is not narrowed away from administration. */
export function isTenantAdmin(principal: Principal): boolean {
  return principal.roles.includes('admin') && (!principal.scopes || principal.scopes.includes('admin'));
}
