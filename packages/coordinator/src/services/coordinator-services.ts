import type { Logger, ReadinessChecks } from '@tributary/core';
import type { AdminService } from '../admin/index.js';
import type { AgentService } from '../agents/index.js';
import type { CoordinatorMetrics } from '../metrics/index.js';
import type { SavedQueryService } from '../saved-queries/index.js';
import type { RequestAdmission } from './admission.js';
import type { CatalogService } from './catalog-service.js';
import type { QueryRunService } from './query-runs.js';
import type { QueryService } from './query-service.js';
import type { RegistryService } from './registry-service.js';

/** What every transport is given: authentication and the protocol-free services. */
export interface CoordinatorServices {
  /** Authentication and the request rate limit: the way in for every request. */
  admission: RequestAdmission;
  query: QueryService;
  /** Asynchronous query runs and their stored results. */
  runs: QueryRunService;
  /** Named, versioned queries with typed parameters. */
  savedQueries: SavedQueryService;
  catalog: CatalogService;
  registry: RegistryService;
  admin: AdminService;
  /** Agents and their runs. */
  agents: AgentService;
  logger: Logger;
  /** The process's metrics; transports record requests and calls, services the rest. */
  metrics: CoordinatorMetrics;
  health: {
    /** Epoch ms when the process started, for uptime. */
    startedAt: number;
    /** What /health/ready evaluates. */
    readiness: ReadinessChecks;
  };
}
