import { createHash } from 'node:crypto';

/**
 * A SHA-256 (hex) of a JSON-shaped value whose leaves may also be the SQL
 * values JSON cannot hold (bigints, byte arrays), for keys of caches.
 */
export function digestOf(value: unknown): string {
  const canonical = JSON.stringify(value, (_key, leaf: unknown) => {
    if (typeof leaf === 'bigint') return `${leaf}n`;
    if (leaf instanceof Uint8Array) return `b64:${Buffer.from(leaf).toString('base64')}`;
    return leaf;
  });
  return createHash('sha256').update(canonical).digest('hex');
}
