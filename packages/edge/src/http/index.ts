export { type EdgeHttpOptions, type RunningEdgeHttp, startEdgeHttp } from './http-server.js';
