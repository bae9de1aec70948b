// Agents: non-human principals that answer questions and run recurring data
// tasks over the governed catalog, protocol-free.
//
//   model.ts        what an agent is; validation of definitions and limits
//   assertions.ts   playbook assertions (`row_count > 0`)
//   tools.ts        the tools, each a call of Catalog/Query/SavedQuery services
//   runner.ts       a run: a playbook's steps, or a model asking for tools
//   provider.ts     OpenAI-compatible chat completions with tool calling
//   transcript.ts   a run's events, followed live and saved
//   agent-service.ts  CRUD, runs, cancellation, keys
export { AgentService, type AgentServiceDeps } from './agent-service.js';
export { AGENT_TOOLS, type AgentInput, type AgentTool } from './model.js';
export { ProviderDirectory } from './provider.js';
export { AgentTools } from './tools.js';
export { agentView, eventView, runView, type ValueEncoding } from './views.js';
