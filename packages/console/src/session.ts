import type { Credentials } from '@tributary/client/web';

/**
 * The signed-in credential lives in sessionStorage only: it survives a reload
 * of the tab but not closing it, and is never written to localStorage or a
 * cookie.
 */
const KEY = 'tributary.console.credential';

/** An API key (`trb_…`) or else a JWT. */
export function credentialsFrom(secret: string): Credentials {
  const value = secret.trim();
  return value.startsWith('trb_') ? { apiKey: value } : { token: value };
}

export function storedSecret(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function storeSecret(secret: string): void {
  sessionStorage.setItem(KEY, secret.trim());
}

export function forgetSecret(): void {
  sessionStorage.removeItem(KEY);
}
