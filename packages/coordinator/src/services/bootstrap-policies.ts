import { readFileSync } from 'node:fs';
import { ConfigError, type Logger } from '@tributary/core';
import { parse } from 'yaml';
import type { Store } from '../store/index.js';

/**
 * Publishes the configured bootstrap policy document as version 1 of a
 * tenant that has no policies yet. An existing policy history is never
 * touched, so admins' later versions survive restarts.
 */
export async function bootstrapPolicies(
  store: Pick<Store, 'policies'>,
  tenant: string,
  file: string | undefined,
  validate: (document: unknown) => Promise<void>,
  logger: Logger,
): Promise<void> {
  if (!file) return;
  if (await store.policies.current(tenant)) return;
  let document: unknown;
  try {
    document = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read the bootstrap policy file ${file}: ${(error as Error).message}`);
  }
  await validate(document);
  const published = await store.policies.publish(tenant, {
    document: JSON.stringify(document),
    author: 'coordinator configuration',
    comment: `bootstrap from ${file}`,
    expectedVersion: 0,
  });
  logger.info({ tenant, version: published.version, file }, 'published the bootstrap policy document');
}
