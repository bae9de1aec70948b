import { TributaryError } from '@tributary/core';
import type { UserRepository } from '../store/index.js';
import type { Principal } from './principal.js';

/**
 * Joins an authenticated principal (from a token or a configured key) with
 * the tenant's stored user of the same subject. Stored roles and groups are
 * added to the credential's; stored attributes override the credential's, so an admin's
 * change wins over a token claim. A disabled user, or a subject whose user an
 * admin deleted, is refused. A subject the store never knew keeps what its
 * credential says: for it the identity provider is the source of truth.
 */
export class IdentityResolver {
  constructor(private readonly users: Pick<UserRepository, 'findBySubject' | 'isDeletedSubject'>) {}

  async resolve(principal: Principal): Promise<Principal> {
    const user = await this.users.findBySubject(principal.tenant, principal.subject);
    if (!user) {
      if (await this.users.isDeletedSubject(principal.tenant, principal.subject)) {
        throw TributaryError.unauthenticated('this identity has been deleted');
      }
      return principal;
    }
    if (user.disabled) throw TributaryError.unauthenticated('this identity is disabled');
    return {
      ...principal,
      roles: [...new Set([...principal.roles, ...user.roles])],
      groups: [...new Set([...principal.groups, ...user.groups])],
      attributes: { ...principal.attributes, ...user.attributes },
    };
  }
}
