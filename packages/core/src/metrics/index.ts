export {
  type MetricsAccess,
  type MetricsConfig,
  metricsAccess,
  metricsConfigSchema,
} from './access.js';
export { createMetricsRegistry, QUERY_SECONDS_BUCKETS, type Registry } from './registry.js';
