export { AdminService } from '../admin/index.js';
export { type Admitted, RequestAdmission } from './admission.js';
export { QueryAnalysis } from './analysis.js';
export { CatalogService } from './catalog-service.js';
export type { CoordinatorServices } from './coordinator-services.js';
export { type PageRequest, pageOf } from './paging.js';
export {
  QueryRunService,
  type QueryRunServiceDeps,
  type QueryRunSettings,
  type ResultPage,
  type RunListRequest,
  type SubmitOptions,
} from './query-runs.js';
export { type QueryExecution, type QueryRequest, QueryService } from './query-service.js';
export { RegistryService } from './registry-service.js';
export { metadataJson, resultIpc } from './result-ipc.js';
