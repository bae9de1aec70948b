import { digestOf, type SqlValue } from '@tributary/core';
import { LRUCache } from 'lru-cache';

/** What identifies a fragment's rows: its query, its values, and its source's catalog version. */
export interface SizedFragment {
  source: string;
  /** The source's catalog version (bumped by a schema refresh that finds a change). */
  version: string | number;
  sql: string;
  params: readonly SqlValue[];
}

/**
 * Fragment sizes measured by earlier federated queries (rows from their
 * counts and early reads, bytes per row from their loads), so that a query
 * planned again — the same governed query, or another one sharing a
 * fragment — orders its fragments and picks its key filters without a
 * round trip per fragment to measure them, as a database keeps statistics
 * instead of counting before every plan.
 *
 * A size only decides the order fragments load in and which key filters
 * they take: a stale one makes a slower plan, never a different result.
 * Sizes expire after `ttlMs`, so data that changes under an unchanged
 * schema is measured again, and a schema refresh changes the version in
 * every key of that source.
 */
export class FragmentSizes {
  private readonly sizes: LRUCache<string, { rows?: number; width?: number }> | undefined;

  constructor(ttlMs: number, maxEntries = 10_000) {
    this.sizes = ttlMs > 0 ? new LRUCache({ max: maxEntries, ttl: ttlMs }) : undefined;
  }

  /** Rows the fragment ships (an upper bound, as counted). */
  get(fragment: SizedFragment): number | undefined {
    return this.sizes?.get(keyOf(fragment))?.rows;
  }

  set(fragment: SizedFragment, rows: number): void {
    if (Number.isFinite(rows) && rows >= 0) this.update(fragment, { rows });
  }

  /** Arrow bytes per row the fragment shipped when last loaded (key filters change rows, not widths). */
  width(fragment: SizedFragment): number | undefined {
    return this.sizes?.get(keyOf(fragment))?.width;
  }

  setWidth(fragment: SizedFragment, rows: number, bytes: number): void {
    if (rows > 0 && Number.isFinite(bytes)) this.update(fragment, { width: bytes / rows });
  }

  private update(fragment: SizedFragment, measured: { rows?: number; width?: number }): void {
    if (!this.sizes) return;
    const key = keyOf(fragment);
    this.sizes.set(key, { ...this.sizes.get(key), ...measured });
  }
}

function keyOf(fragment: SizedFragment): string {
  return digestOf([fragment.source.toLowerCase(), String(fragment.version), fragment.sql, fragment.params]);
}
