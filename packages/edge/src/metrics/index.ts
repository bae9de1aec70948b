export { EdgeMetrics, type EdgePool, EdgeQueryMeter } from './edge-metrics.js';
