/**
 * A server's hint of when to come back, in milliseconds from `now`: an HTTP
 * `Retry-After` value, delta-seconds (fractions accepted) or an HTTP date.
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * gRPC's own hint (`grpc-retry-pushback-ms`): a wait in milliseconds, or —
 * a negative or malformed value — the server asking not to retry at all.
 */
export function parsePushback(value: string | undefined): number | 'stop' | undefined {
  if (value === undefined) return undefined;
  return /^\d+$/.test(value.trim()) ? Number(value.trim()) : 'stop';
}
