export { MCP_PATH, type McpOptions, type RunningMcpServer, startMcpServer } from './server.js';
export { buildMcpServer } from './tools.js';
