export { Catalog, CatalogSnapshot, type CatalogTable } from './catalog.js';
export { type EdgeCallOptions, EdgeClient } from './edge-client.js';
export { type EdgeRegistration, EdgeRegistry, type RegisteredEdge } from './edge-registry.js';
export { COORDINATOR_ISSUER, EdgeTokenSigner, edgeAudience } from './edge-tokens.js';
export { formatTableRef, parseTableName, tableKey } from './table-name.js';
