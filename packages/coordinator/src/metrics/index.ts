export {
  type AuthFailureReason,
  type CoordinatorGauges,
  CoordinatorMetrics,
  type PolicyDecision,
  QueryMeter,
} from './coordinator-metrics.js';
