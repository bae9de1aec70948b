// The messages and service of agent.proto, re-exported under their proto
// names like those of types.ts.

export type { Agent, Agent__Input } from './generated/tributary/v1/Agent.js';
export type { AgentLimits, AgentLimits__Input } from './generated/tributary/v1/AgentLimits.js';
export type { AgentRun, AgentRun__Input } from './generated/tributary/v1/AgentRun.js';
export type { AgentRunEvent, AgentRunEvent__Input } from './generated/tributary/v1/AgentRunEvent.js';
export type { AgentScope, AgentScope__Input } from './generated/tributary/v1/AgentScope.js';
export type { AgentServiceClient, AgentServiceHandlers } from './generated/tributary/v1/AgentService.js';
export type { AgentTableScope, AgentTableScope__Input } from './generated/tributary/v1/AgentTableScope.js';
export type {
  CancelAgentRunRequest,
  CancelAgentRunRequest__Input,
} from './generated/tributary/v1/CancelAgentRunRequest.js';
export type {
  CreateAgentApiKeyRequest,
  CreateAgentApiKeyRequest__Input,
} from './generated/tributary/v1/CreateAgentApiKeyRequest.js';
export type {
  CreateAgentApiKeyResponse,
  CreateAgentApiKeyResponse__Input,
} from './generated/tributary/v1/CreateAgentApiKeyResponse.js';
export type {
  CreateAgentRequest,
  CreateAgentRequest__Input,
} from './generated/tributary/v1/CreateAgentRequest.js';
export type {
  DeleteAgentRequest,
  DeleteAgentRequest__Input,
} from './generated/tributary/v1/DeleteAgentRequest.js';
export type {
  DeleteAgentResponse,
  DeleteAgentResponse__Input,
} from './generated/tributary/v1/DeleteAgentResponse.js';
export type { GetAgentRequest, GetAgentRequest__Input } from './generated/tributary/v1/GetAgentRequest.js';
export type {
  GetAgentRunRequest,
  GetAgentRunRequest__Input,
} from './generated/tributary/v1/GetAgentRunRequest.js';
export type {
  ListAgentRunsRequest,
  ListAgentRunsRequest__Input,
} from './generated/tributary/v1/ListAgentRunsRequest.js';
export type {
  ListAgentRunsResponse,
  ListAgentRunsResponse__Input,
} from './generated/tributary/v1/ListAgentRunsResponse.js';
export type {
  ListAgentsRequest,
  ListAgentsRequest__Input,
} from './generated/tributary/v1/ListAgentsRequest.js';
export type {
  ListAgentsResponse,
  ListAgentsResponse__Input,
} from './generated/tributary/v1/ListAgentsResponse.js';
export type {
  PlaybookParameter,
  PlaybookParameter__Input,
} from './generated/tributary/v1/PlaybookParameter.js';
export type { PlaybookStep, PlaybookStep__Input } from './generated/tributary/v1/PlaybookStep.js';
export type { RunAgentRequest, RunAgentRequest__Input } from './generated/tributary/v1/RunAgentRequest.js';
export type {
  UpdateAgentRequest,
  UpdateAgentRequest__Input,
} from './generated/tributary/v1/UpdateAgentRequest.js';
