export { type AdminContext, requireAdmin } from './admin-context.js';
export type { PolicyDocumentValidator } from './admin-deps.js';
export { AdminService, type AdminServiceDeps } from './admin-service.js';
export { requireJsonObject } from './policy-admin.js';
export { SourceAdmin } from './source-admin.js';
