export { docsRoutes } from './docs-routes.js';
export { openApiDocument } from './document.js';
