import type { Logger } from '@tributary/core';
import type { ApiKeyEntry } from '../config/coordinator-config.js';
import type { Store } from '../store/index.js';

/**
 * Makes the configuration's API keys usable as bootstrap credentials: the
 * tenant exists, and each key's subject is a stored user holding at least the
 * key's roles (roles the tenant lacks are created). So the first admin key
 * from `coordinator.yaml` can administer everything else. Runs at every
 * start; it only adds, so an admin's later changes to these users (more
 * roles, attributes, disabling) are kept. A deleted user is created again:
 * to retire a configured key, remove it from the configuration.
 */
export async function bootstrapConfiguredIdentities(
  store: Pick<Store, 'tenants' | 'roles' | 'users'>,
  tenant: string,
  entries: readonly ApiKeyEntry[],
  logger: Logger,
): Promise<void> {
  await store.tenants.ensure(tenant);
  const known = new Set((await store.roles.list(tenant)).map((role) => role.name));
  for (const entry of entries) {
    for (const role of entry.roles) {
      if (known.has(role)) continue;
      await store.roles.create(tenant, {
        name: role,
        description: 'declared in the coordinator configuration',
      });
      known.add(role);
    }
    const user = await store.users.findBySubject(tenant, entry.subject);
    if (!user) {
      await store.users.create(tenant, {
        subject: entry.subject,
        displayName: entry.subject,
        roles: entry.roles,
        attributes: entry.attributes,
      });
      logger.info({ subject: entry.subject, keyId: entry.id }, 'created the user of a configured API key');
      continue;
    }
    const missing = entry.roles.filter((role) => !user.roles.includes(role));
    if (missing.length > 0) await store.users.update(tenant, user.id, { addRoles: missing });
    if (user.disabled) {
      logger.warn(
        { subject: entry.subject, keyId: entry.id },
        'a configured API key belongs to a disabled user',
      );
    }
  }
}
