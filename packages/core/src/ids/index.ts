export { acceptRequestId, newQueryId, newRequestId } from './ids.js';
