import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { TRIBUTARY_VERSION } from '../version.js';

/** Seconds; from a 2 ms cache hit to a five-minute scan (the default query timeout). */
export const QUERY_SECONDS_BUCKETS = [
  0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
];

/**
 * A process's own metrics registry, with Node's process and runtime metrics
 * (`process_*`, `nodejs_*`, under their conventional names) and
 * `tributary_build_info`. Each process creates one and passes it down; nothing
 * reaches for prom-client's global registry, so two processes' worth of
 * metrics can live in one test without mixing.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const info = new Gauge({
    name: 'tributary_build_info',
    help: 'Always 1; the labels say which Tributary process and version this is.',
    labelNames: ['service', 'version'] as const,
    registers: [registry],
  });
  info.set({ service, version: TRIBUTARY_VERSION }, 1);
  return registry;
}

export type { Registry };
