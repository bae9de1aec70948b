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
