/** Field names whose values are credentials or key material. */
const SECRET_FIELD = /secret|salt|sha256|password|token|private/i;

export const REDACTED = '[redacted]';

/**
 * A deep copy with every secret-looking field replaced. Admin views are
 * built without secrets already; this is the second line, so a view that
 * grows a secret field later cannot leak it into the audit log.
 */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    copy[key] =
      SECRET_FIELD.test(key) && field !== '' && field !== undefined ? REDACTED : withoutSecrets(field);
  }
  return copy;
}
