// Records of agents and their runs as the store keeps them. The definition
// and the transcript are plain JSON the agents/ folder shapes and validates;
// the store only keeps them, versioned and keyed by tenant.

/** What an agent is told to do and may do; replaced whole by each update. */
export interface AgentDefinition {
  name: string;
  description: string;
  instructions: string;
  tools: string[];
  scope: AgentScopeRecord;
  rateLimitTier: string;
  limits: AgentLimitsRecord;
  provider: string;
  playbook: PlaybookStepRecord[];
}

export interface AgentScopeRecord {
  /** Empty: the agent reads nothing. An empty column list: every column the owner may read. */
  tables: { table: string; columns: string[] }[];
}

/** 0: the coordinator's default. */
export interface AgentLimitsRecord {
  maxSteps: number;
  maxRunTimeMs: number;
  maxRowsPerStep: number;
}

export type PlaybookValue = null | boolean | number | string;

export interface PlaybookParameterRecord {
  name: string;
  /** A literal; `ref` unset. Integers beyond 2^53 are kept as decimal strings tagged `bigint`. */
  value?: PlaybookValue | { bigint: string };
  /** `<step>.row_count` or `<step>.<column>`. */
  ref?: string;
}

export interface PlaybookStepRecord {
  name: string;
  sql?: string;
  savedQueryId?: string;
  params: PlaybookParameterRecord[];
  assertions: string[];
}

export interface AgentRecord extends AgentDefinition {
  tenant: string;
  id: string;
  /** The subject of the tenant user whose permissions bound the agent's. */
  owner: string;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export type AgentRunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

/** One transcript entry; fields beyond these depend on `kind`. */
export interface AgentRunEventRecord {
  sequence: number;
  time: number;
  kind: string;
  step?: number;
  stepName?: string;
  tool?: string;
  argumentsJson?: string;
  sql?: string;
  queryId?: string;
  rowCount?: number;
  columns?: string[];
  rowsJson?: string;
  truncated?: boolean;
  message?: string;
  error?: { code: string; message: string };
  agentId?: string;
  agentVersion?: number;
}

export interface AgentRunRecord {
  tenant: string;
  id: string;
  agentId: string;
  agentVersion: number;
  status: AgentRunStatus;
  startedBy: string;
  input: string;
  startedAt: number;
  endedAt?: number;
  error?: { code: string; message: string };
  answer: string;
  queryIds: string[];
  events: AgentRunEventRecord[];
}
