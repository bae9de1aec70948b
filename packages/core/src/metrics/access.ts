import crypto from 'node:crypto';
import { z } from 'zod';

/** `metrics:` in a process's configuration. */
export const metricsConfigSchema = z
  .object({
    /** Serve `GET /metrics` (Prometheus text format). */
    enabled: z.boolean().default(true),
    /** When set, scrapes must send `Authorization: Bearer <token>`. */
    bearer_token: z.string().min(16, 'metrics.bearer_token must be at least 16 characters').optional(),
  })
  .default({ enabled: true });

export type MetricsConfig = z.output<typeof metricsConfigSchema>;

export type MetricsAccess = 'allowed' | 'disabled' | 'unauthorized';

function digest(text: string): Buffer {
  return crypto.createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Whether a scrape may read the metrics. The token is compared as SHA-256
 * digests with timingSafeEqual: equal lengths whatever was sent, and no
 * early exit on the first differing byte.
 */
export function metricsAccess(config: MetricsConfig, authorization: string | undefined): MetricsAccess {
  if (!config.enabled) return 'disabled';
  if (config.bearer_token === undefined) return 'allowed';
  const presented = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
  return crypto.timingSafeEqual(digest(presented), digest(config.bearer_token)) ? 'allowed' : 'unauthorized';
}
