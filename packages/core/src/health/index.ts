export {
  type CheckResult,
  type ReadinessCheck,
  ReadinessChecks,
  type ReadinessReport,
} from './readiness.js';
