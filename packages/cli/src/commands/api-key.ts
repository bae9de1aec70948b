import { generateApiKey, hashApiKey } from '@tributary/coordinator';
import { TributaryError } from '@tributary/core';

/**
 * A new API key and the SHA-256 a coordinator configuration stores for it
 * (`auth.api_keys[].sha256`), for bootstrapping a deployment: the key goes to
 * whoever calls, only the digest into configuration.
 */
export async function apiKeyCommand(args: string[]): Promise<number> {
  if (args.length > 0) throw TributaryError.invalid('usage: tributary api-key');
  const key = generateApiKey();
  process.stdout.write(`TRIBUTARY_API_KEY=${key}\nTRIBUTARY_ADMIN_KEY_SHA256=${hashApiKey(key)}\n`);
  return 0;
}
