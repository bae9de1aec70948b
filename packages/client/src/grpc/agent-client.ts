import type {
  Agent,
  AgentRun,
  AgentRunEvent,
  AgentServiceClient,
  CancelAgentRunRequest__Input,
  CreateAgentApiKeyRequest__Input,
  CreateAgentApiKeyResponse,
  CreateAgentRequest__Input,
  DeleteAgentRequest__Input,
  DeleteAgentResponse,
  GetAgentRequest__Input,
  GetAgentRunRequest__Input,
  ListAgentRunsRequest__Input,
  ListAgentRunsResponse,
  ListAgentsRequest__Input,
  ListAgentsResponse,
  RunAgentRequest__Input,
  UpdateAgentRequest__Input,
} from '@tributary/core';
import type { CallOptions, GrpcCaller } from './caller.js';

/**
 * AgentService: one method per RPC, taking and returning the messages of
 * `agent.proto`. Reads (Get*, List*) retry on passing failures; changes and
 * runs never do. `runAgent` yields the run's events as they happen, ending
 * with `run_finished` or `run_failed`.
 */
export class AgentClient {
  constructor(private readonly rpc: GrpcCaller<AgentServiceClient>) {}

  createAgent(request: CreateAgentRequest__Input, options?: CallOptions): Promise<Agent> {
    return this.rpc.unary('CreateAgent', request, 'write', options);
  }

  getAgent(request: GetAgentRequest__Input, options?: CallOptions): Promise<Agent> {
    return this.rpc.unary('GetAgent', request, 'read', options);
  }

  listAgents(request: ListAgentsRequest__Input = {}, options?: CallOptions): Promise<ListAgentsResponse> {
    return this.rpc.unary('ListAgents', request, 'read', options);
  }

  /** Replaces the definition; CONFLICT when `expected_version` is set and another version was saved since. */
  updateAgent(request: UpdateAgentRequest__Input, options?: CallOptions): Promise<Agent> {
    return this.rpc.unary('UpdateAgent', request, 'write', options);
  }

  deleteAgent(request: DeleteAgentRequest__Input, options?: CallOptions): Promise<DeleteAgentResponse> {
    return this.rpc.unary('DeleteAgent', request, 'write', options);
  }

  /** Starts a run and follows it. The run goes on if the stream is left early; cancelAgentRun stops it. */
  runAgent(request: RunAgentRequest__Input, options?: CallOptions): AsyncGenerator<AgentRunEvent> {
    return this.rpc.messageStream<AgentRunEvent>('RunAgent', request, options);
  }

  listAgentRuns(request: ListAgentRunsRequest__Input, options?: CallOptions): Promise<ListAgentRunsResponse> {
    return this.rpc.unary('ListAgentRuns', request, 'read', options);
  }

  /** A run with its whole transcript and the id of every query it made. */
  getAgentRun(request: GetAgentRunRequest__Input, options?: CallOptions): Promise<AgentRun> {
    return this.rpc.unary('GetAgentRun', request, 'read', options);
  }

  cancelAgentRun(request: CancelAgentRunRequest__Input, options?: CallOptions): Promise<AgentRun> {
    return this.rpc.unary('CancelAgentRun', request, 'write', options);
  }

  /** A key that authenticates as the agent; the secret is in the answer only. */
  createAgentApiKey(
    request: CreateAgentApiKeyRequest__Input,
    options?: CallOptions,
  ): Promise<CreateAgentApiKeyResponse> {
    return this.rpc.unary('CreateAgentApiKey', request, 'write', options);
  }
}
