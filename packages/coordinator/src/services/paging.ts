import { TributaryError } from '@tributary/core';
import { decodeStringCursor, encodeCursor } from '../store/cursor.js';

const MAX_PAGE_SIZE = 1_000;
const DEFAULT_PAGE_SIZE = 100;

export interface PageRequest {
  /** 1 to 1000; 100 when 0 or absent. */
  pageSize?: number;
  pageToken?: string;
}

/**
 * One page of a short listing the services return whole (roles, groups,
 * keys, tags, sources), so every list of the HTTP API pages the same way:
 * ordered by `keyOf`, continued after the last key of the previous page.
 */
export function pageOf<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  listing: string,
  request: PageRequest,
): { items: T[]; nextPageToken: string } {
  const size = request.pageSize || DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw TributaryError.invalid(`page_size must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  const after = decodeStringCursor(listing, request.pageToken || undefined);
  const sorted = [...items]
    .map((item) => ({ item, key: keyOf(item) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .filter((entry) => after === undefined || entry.key > after);
  const page = sorted.slice(0, size);
  const last = page.at(-1);
  return {
    items: page.map((entry) => entry.item),
    nextPageToken: sorted.length > size && last ? encodeCursor(listing, last.key) : '',
  };
}
