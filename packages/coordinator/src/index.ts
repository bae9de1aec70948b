export { API_KEY_PREFIX, generateApiKey, hashApiKey } from './auth/index.js';
export {
  type CoordinatorConfig,
  type CoordinatorConfigInput,
  coordinatorConfigSchema,
  loadCoordinatorConfig,
} from './config/coordinator-config.js';
export { type CoordinatorHooks, type RunningCoordinator, startCoordinator } from './coordinator.js';
