import { TributaryError } from '@tributary/core';

/**
 * Page cursors are opaque to callers: base64url of a small JSON object naming
 * the listing it belongs to and the last key returned. The listing name stops
 * a cursor of one listing being replayed against another.
 */
export function encodeCursor(listing: string, after: string | number): string {
  return Buffer.from(JSON.stringify({ l: listing, a: after })).toString('base64url');
}

export function decodeCursor(listing: string, token: string): string | number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const cursor = parsed as { l?: unknown; a?: unknown } | undefined;
  if (
    !cursor ||
    typeof cursor !== 'object' ||
    cursor.l !== listing ||
    (typeof cursor.a !== 'string' && typeof cursor.a !== 'number')
  ) {
    throw TributaryError.invalid('page_token is not a token this API issued');
  }
  return cursor.a;
}

export function decodeStringCursor(listing: string, token: string | undefined): string | undefined {
  if (!token) return undefined;
  const after = decodeCursor(listing, token);
  if (typeof after !== 'string') throw TributaryError.invalid('page_token is not a token this API issued');
  return after;
}

export function decodeNumberCursor(listing: string, token: string | undefined): number | undefined {
  if (!token) return undefined;
  const after = decodeCursor(listing, token);
  if (typeof after !== 'number' || !Number.isSafeInteger(after)) {
    throw TributaryError.invalid('page_token is not a token this API issued');
  }
  return after;
}
