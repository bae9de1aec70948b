export { sourcesCheck, storeCheck } from './checks.js';
