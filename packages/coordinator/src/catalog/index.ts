export { Catalog, CatalogSnapshot, type CatalogTable } from './catalog.js';
export { type EdgeCallOptions, EdgeClient } from './edge-client.js';
export { EdgeProber } from './edge-prober.js';
export {
  type EdgeDownReason,
  type EdgeRegistration,
  EdgeRegistry,
  type RegisteredEdge,
} from './edge-registry.js';
export { COORDINATOR_ISSUER, EdgeTokenSigner, edgeAudience } from './edge-tokens.js';
export { shapeDifference, sourceShape, type TableChanges, tableChanges } from './source-shape.js';
export { formatTableRef, parseTableName, tableKey } from './table-name.js';
