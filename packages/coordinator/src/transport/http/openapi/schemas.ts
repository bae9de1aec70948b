// Component schemas of the OpenAPI document: the JSON bodies the routes
// read and write. Shapes that mirror AdminService/CatalogService messages
// keep the proto's snake_case field names.

type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str = (description?: string): Schema =>
  description ? { type: 'string', description } : { type: 'string' };
const time = (description?: string): Schema => ({
  type: 'string',
  format: 'date-time',
  ...(description ? { description } : {}),
});
const int = (description?: string): Schema => ({ type: 'integer', ...(description ? { description } : {}) });
const bool: Schema = { type: 'boolean' };
const strings: Schema = { type: 'array', items: { type: 'string' } };
const nullable = (schema: Schema): Schema => ({ ...schema, type: [schema.type, 'null'] });
const object = (properties: Record<string, Schema>, required: string[] = [], extra: Schema = {}): Schema => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
  ...extra,
});
const page = (field: string, item: string): Schema =>
  object(
    {
      [field]: { type: 'array', items: ref(item) },
      next_page_token: str('Empty on the last page; otherwise pass as page_token'),
    },
    [field, 'next_page_token'],
  );
const scalar: Schema = { type: ['string', 'number', 'boolean'] };
const jsonValue: Schema = { description: 'Any JSON value' };

const queryMetadata = object(
  {
    query_id: str(),
    row_count: int(),
    execution_time_ms: int(),
    from_cache: bool,
    bytes: int(),
    batch_count: int(),
    truncated: bool,
    edges: strings,
  },
  ['query_id', 'row_count'],
);

const runStatus: Schema = { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] };
const parameter = object(
  {
    name: str('Referred to as $name in the SQL'),
    type: { type: 'string', enum: ['string', 'integer', 'number', 'boolean', 'date', 'timestamp'] },
    description: str(),
    default: scalar,
  },
  ['name', 'type'],
);

export const SCHEMAS: Record<string, Schema> = {
  ErrorEnvelope: object(
    {
      error: object(
        {
          code: {
            type: 'string',
            enum: [
              'INVALID_ARGUMENT',
              'UNAUTHENTICATED',
              'UNAUTHORIZED',
              'QUERY_UNAUTHORIZED',
              'NOT_FOUND',
              'CONFLICT',
              'PAYLOAD_TOO_LARGE',
              'RATE_LIMITED',
              'CANCELLED',
              'INTERNAL',
              'UNAVAILABLE',
              'DEADLINE_EXCEEDED',
            ],
          },
          message: str(),
          request_id: str('Also in the x-request-id header and the logs'),
          details: { type: 'object', additionalProperties: true },
        },
        ['code', 'message', 'request_id'],
      ),
    },
    ['error'],
  ),
  Row: {
    type: 'object',
    additionalProperties: true,
    description: 'One result row: column name → JSON value',
  },
  QueryMetadata: queryMetadata,
  QueryResult: object({ data: { type: 'array', items: ref('Row') }, metadata: ref('QueryMetadata') }, [
    'data',
    'metadata',
  ]),
  ResultPage: object(
    {
      data: { type: 'array', items: ref('Row') },
      metadata: ref('QueryMetadata'),
      next_cursor: nullable(str('Pass as cursor for the next page; null on the last page')),
    },
    ['data', 'metadata', 'next_cursor'],
  ),
  QueryRequest: object(
    {
      sql: str('One read-only query; $1, $2, … are placeholders'),
      params: { type: 'array', items: { type: ['string', 'number', 'boolean', 'null'] } },
      limit: int('Most rows to return; 0 for no limit'),
      async: { type: 'boolean', description: 'Answer 202 at once with a query run' },
      async_after_ms: int(
        'Answer inline if the query finishes within this many ms (at most 300000), else 202',
      ),
    },
    ['sql'],
  ),
  QueryRunAccepted: object(
    { query_run_id: str(), status: runStatus, links: object({ self: str(), results: str() }) },
    ['query_run_id', 'status', 'links'],
  ),
  QueryRun: object(
    {
      query_run_id: str(),
      status: runStatus,
      sql: str(),
      owner: str('Subject that submitted the run'),
      request_id: str(),
      query_id: nullable(str()),
      saved_query: { type: ['object', 'null'], properties: { id: str(), version: int() } },
      created_at: time(),
      started_at: nullable(time()),
      finished_at: nullable(time()),
      duration_ms: nullable(int()),
      row_count: nullable(int()),
      bytes: nullable(int('Size of the stored result')),
      metadata: { oneOf: [ref('QueryMetadata'), { type: 'null' }] },
      error: {
        type: ['object', 'null'],
        description: 'The error envelope body of a failed or cancelled run',
        properties: { code: str(), message: str(), request_id: str(), details: { type: 'object' } },
      },
      expires_at: nullable(time('When the run and its result are removed')),
      links: object({ self: str(), results: str() }),
    },
    ['query_run_id', 'status', 'created_at', 'links'],
  ),
  QueryRunPage: page('query_runs', 'QueryRun'),
  SavedQueryParameter: parameter,
  SavedQuery: object(
    {
      id: str(),
      name: str(),
      description: str(),
      owner: str(),
      version: int(),
      sql: str(),
      parameters: { type: 'array', items: ref('SavedQueryParameter') },
      created_at: time(),
      updated_at: time(),
      links: object({ self: str(), versions: str(), execute: str() }),
    },
    ['id', 'name', 'version', 'sql', 'parameters'],
  ),
  SavedQueryVersion: object(
    {
      query_id: str(),
      version: int(),
      name: str(),
      description: str(),
      sql: str(),
      parameters: { type: 'array', items: ref('SavedQueryParameter') },
      author: str(),
      comment: str(),
      created_at: time(),
    },
    ['query_id', 'version', 'sql', 'parameters'],
  ),
  SavedQueryPage: page('queries', 'SavedQuery'),
  SavedQueryVersionPage: page('versions', 'SavedQueryVersion'),
  NewSavedQuery: object(
    {
      name: str(),
      description: str(),
      sql: str('Parameters are named: $status'),
      parameters: { type: 'array', items: ref('SavedQueryParameter') },
      comment: str(),
    },
    ['name', 'sql'],
    { additionalProperties: false },
  ),
  SavedQueryChange: object(
    {
      name: str(),
      description: str(),
      sql: str(),
      parameters: { type: 'array', items: ref('SavedQueryParameter') },
      comment: str(),
      expected_version: int('CONFLICT unless this is the current version'),
    },
    [],
    { additionalProperties: false },
  ),
  SavedQueryExecution: object(
    {
      parameters: { type: 'object', additionalProperties: scalar, description: 'Values by parameter name' },
      version: int('A stored version; the current one when absent'),
      limit: int(),
      async: bool,
      async_after_ms: int(),
    },
    [],
    { additionalProperties: false },
  ),
  ValidateRequest: object(
    { sql: str(), params: { type: 'array', items: { type: ['string', 'number', 'boolean', 'null'] } } },
    ['sql'],
  ),
  ValidateResponse: object({
    valid: bool,
    statement_type: str(),
    tables: { type: 'array', items: { type: 'object' } },
    columns: { type: 'array', items: { type: 'object' } },
    output_columns: { type: 'array', items: { type: 'object' } },
    edges: strings,
    access: { type: 'array', items: { type: 'object' } },
    error: object({ code: str(), message: str(), position: int() }),
    plan: object({
      mode: str('"edge": whole on one edge; "federated": split between edges'),
      fragments: {
        type: 'array',
        items: object({
          table: str('source.schema.table'),
          edges: strings,
          sql: str(),
          columns: strings,
          pushed_filters: int(),
          coordinator_table: str(),
        }),
      },
      coordinator_sql: str(),
    }),
  }),
  BuildRequest: object(
    {
      table: str('source.schema.table'),
      columns: strings,
      filters: {
        type: 'array',
        items: object({ column: str(), op: str(), values: { type: 'array', items: { type: 'object' } } }),
      },
      order_by: { type: 'array', items: object({ column: str(), descending: bool }) },
      limit: int(),
      offset: int(),
    },
    ['table'],
  ),
  BuildResponse: object({ sql: str(), params: { type: 'array', items: { type: 'object' } } }),
  Source: object({ name: str(), kind: str(), edges: strings, healthy: bool, table_count: int() }),
  SourceList: page('sources', 'Source'),
  Table: object(
    {
      source: str(),
      schema: str(),
      name: str(),
      columns: {
        type: 'array',
        items: object({ name: str(), sql_type: str(), nullable: bool, tags: strings }),
      },
    },
    [],
    { additionalProperties: true },
  ),
  TablePage: page('tables', 'Table'),
  TableAccess: object({ readable: bool }, [], { additionalProperties: true }),
  Health: object({ status: str(), version: str() }),
  Readiness: object({ status: { type: 'string', enum: ['ready', 'not_ready'] }, checks: { type: 'object' } }),
  SchemaRefresh: object({
    table: str(
      'Optional: rediscover only this table (`schema.table` or `table`); it must exist before or after',
    ),
  }),
  SchemaRefreshResult: object({
    source: str(),
    version: int('Increases whenever the source’s tables or columns change; cached results are keyed on it'),
    changed: bool,
    table_count: int(),
    edges: strings,
    added_tables: strings,
    dropped_tables: strings,
    changed_tables: strings,
  }),
  SourceHealth: object({
    source: str(),
    reachable: bool,
    version: int(),
    edges: {
      type: 'array',
      items: object({ edge: str(), reachable: bool, error: str(), latency_ms: int() }),
    },
  }),
  Tenant: object({
    id: str(),
    display_name: str(),
    settings: { type: 'object', additionalProperties: { type: 'string' } },
    hash_salt: str(),
    created_at: time(),
    updated_at: time(),
  }),
  TenantChange: object({
    display_name: str(),
    set_settings: { type: 'object', additionalProperties: { type: 'string' } },
    remove_settings: strings,
  }),
  User: object({
    id: str(),
    subject: str(),
    email: str(),
    display_name: str(),
    roles: strings,
    groups: strings,
    attributes: { type: 'object', additionalProperties: scalar },
    disabled: bool,
    created_at: time(),
    updated_at: time(),
  }),
  UserPage: page('users', 'User'),
  NewUser: object(
    {
      subject: str(),
      email: str(),
      display_name: str(),
      roles: strings,
      attributes: { type: 'object', additionalProperties: scalar },
      disabled: bool,
    },
    ['subject'],
  ),
  UserChange: object({
    email: str(),
    display_name: str(),
    disabled: bool,
    add_roles: strings,
    remove_roles: strings,
    set_attributes: { type: 'object', additionalProperties: scalar },
    remove_attributes: strings,
  }),
  DeletedUser: object({ revoked_api_keys: int() }),
  Role: object({ name: str(), description: str(), built_in: bool, created_at: time(), updated_at: time() }),
  RoleList: page('roles', 'Role'),
  NewRole: object({ name: str(), description: str() }, ['name']),
  RoleChange: object({ description: str() }),
  DeletedRole: object({ unassigned_users: int() }),
  Group: object({
    name: str(),
    description: str(),
    member_user_ids: strings,
    created_at: time(),
    updated_at: time(),
  }),
  GroupList: page('groups', 'Group'),
  NewGroup: object({ name: str(), description: str(), member_user_ids: strings }, ['name']),
  GroupChange: object({ description: str(), add_members: strings, remove_members: strings }),
  DeletedGroup: object({ removed_members: int() }),
  ApiKey: object({
    id: str(),
    name: str(),
    owner_user_id: str(),
    owner_subject: str(),
    scopes: strings,
    expires_at: str(),
    created_at: str(),
    last_used_at: str(),
    revoked_at: str(),
    rotated_at: str(),
    previous_secret_expires_at: str(),
  }),
  ApiKeyList: page('api_keys', 'ApiKey'),
  NewApiKey: object({
    name: str(),
    owner_user_id: str(),
    scopes: { type: 'array', items: { type: 'string', enum: ['query', 'catalog', 'admin'] } },
    expires_at: time(),
  }),
  ApiKeySecret: object({ key: ref('ApiKey'), secret: str('trb_live_…, shown only once') }),
  TokenRevocationRequest: object({
    jti: str('The token to refuse (its jti claim)'),
    expires_at: str('With jti: when the token expires (RFC 3339); the block ends then'),
    subject: str('Instead of jti: refuse every token of this subject issued before now'),
  }),
  TokenRevocation: object({
    subject: str(),
    issued_before: str('Tokens of the subject issued before this are refused'),
    jti: str(),
    expires_at: str('When the block ends'),
  }),
  ApiKeyRotation: object({ grace_seconds: int('How long the previous secret keeps working') }),
  Policy: object({ version: int(), document: jsonValue, author: str(), comment: str(), created_at: str() }),
  PolicyChange: object(
    {
      document: jsonValue,
      expected_version: int('The version the document was edited from; 0 for none'),
      comment: str(),
    },
    ['document', 'expected_version'],
  ),
  PolicyVersionPage: page('versions', 'PolicyVersion'),
  PolicyVersion: object({ version: int(), author: str(), comment: str(), created_at: str() }),
  TableTags: object({
    table: str(),
    tags: strings,
    columns: { type: 'object', additionalProperties: strings },
    updated_at: str(),
  }),
  TableTagsList: page('tables', 'TableTags'),
  TableTagsChange: object(
    { table: str(), tags: strings, columns: { type: 'object', additionalProperties: strings } },
    ['table'],
  ),
  AuditRecord: object(
    {
      id: str(),
      time: str(),
      kind: { type: 'string', enum: ['query', 'admin'] },
      request_id: str(),
      subject: str(),
      key_id: str(),
      query: { type: 'object' },
      admin: object({ action: str(), target: str(), before: jsonValue, after: jsonValue }),
    },
    [],
    { additionalProperties: true },
  ),
  AuditPage: page('records', 'AuditRecord'),
  Agent: object(
    {
      id: str(),
      name: str(),
      description: str(),
      owner: str('The subject of the user whose access bounds the agent'),
      instructions: str(),
      tools: { type: 'array', items: ref('AgentTool') },
      scope: ref('AgentScope'),
      rate_limit_tier: str(),
      limits: ref('AgentLimits'),
      provider: str('A model provider of the tenant; empty: the agent runs its playbook'),
      playbook: { type: 'array', items: ref('PlaybookStep') },
      version: int(),
      created_at: time(),
      updated_at: time(),
    },
    ['id', 'name', 'owner', 'version'],
  ),
  AgentTool: {
    type: 'string',
    enum: ['catalog.browse', 'catalog.describe', 'query.run', 'query.validate', 'saved_query.run'],
  },
  AgentScope: object({
    tables: {
      type: 'array',
      items: object(
        {
          table: str('source.schema.table'),
          columns: { ...strings, description: 'Empty: every column the owner may read' },
        },
        ['table'],
      ),
    },
  }),
  AgentLimits: object({
    max_steps: int('0: the coordinator default, which is also the maximum'),
    max_run_time_ms: int(),
    max_rows_per_step: int(),
  }),
  PlaybookStep: object(
    {
      name: str(),
      sql: str('Parameters are $1, $2, … bound in order'),
      saved_query_id: str(),
      params: {
        type: 'array',
        items: object({
          name: str("A saved query's parameter name"),
          value: { type: ['string', 'number', 'boolean', 'null'] },
          ref: str('<earlier step>.<column> (first row) or <earlier step>.row_count'),
        }),
      },
      assertions: { ...strings, description: "e.g. row_count > 0, n = 3, status = 'ok'" },
    },
    ['name'],
  ),
  AgentPage: page('agents', 'Agent'),
  NewAgent: object(
    {
      name: str(),
      description: str(),
      owner: str('A tenant admin may create an agent for another stored user'),
      instructions: str(),
      tools: { type: 'array', items: ref('AgentTool') },
      scope: ref('AgentScope'),
      rate_limit_tier: { type: 'string', enum: ['', 'free', 'pro', 'enterprise'] },
      limits: ref('AgentLimits'),
      provider: str(),
      playbook: { type: 'array', items: ref('PlaybookStep') },
    },
    ['name'],
    { additionalProperties: false },
  ),
  AgentChange: object(
    {
      name: str(),
      description: str(),
      instructions: str(),
      tools: { type: 'array', items: ref('AgentTool') },
      scope: ref('AgentScope'),
      rate_limit_tier: { type: 'string', enum: ['', 'free', 'pro', 'enterprise'] },
      limits: ref('AgentLimits'),
      provider: str(),
      playbook: { type: 'array', items: ref('PlaybookStep') },
      expected_version: int('CONFLICT unless this is the current version'),
    },
    ['name'],
    { additionalProperties: false },
  ),
  AgentRunRequest: object({ input: str('The question, for an agent with a model provider') }, [], {
    additionalProperties: false,
  }),
  AgentRunEvent: object(
    {
      run_id: str(),
      sequence: int(),
      time: time(),
      kind: {
        type: 'string',
        enum: [
          'run_started',
          'step_started',
          'tool_call',
          'tool_result',
          'tool_error',
          'model_message',
          'run_finished',
          'run_failed',
        ],
      },
      step: int(),
      step_name: str(),
      tool: str(),
      arguments_json: str(),
      sql: str(),
      query_id: str('The audit record of the query'),
      row_count: int(),
      columns: strings,
      rows_json: str('A JSON array of the first rows'),
      truncated: bool,
      message: str(),
      error: object({ code: str(), message: str(), position: int() }),
      agent_id: str(),
      agent_version: int(),
    },
    ['run_id', 'sequence', 'kind'],
  ),
  AgentRun: object(
    {
      id: str(),
      agent_id: str(),
      agent_version: int(),
      status: { type: 'string', enum: ['running', 'succeeded', 'failed', 'cancelled'] },
      started_by: str(),
      input: str(),
      started_at: time(),
      ended_at: str('Empty while running'),
      error: object({ code: str(), message: str(), position: int() }),
      query_ids: strings,
      events: { type: 'array', items: ref('AgentRunEvent') },
      answer: str(),
    },
    ['id', 'agent_id', 'status'],
  ),
  AgentRunPage: page('runs', 'AgentRun'),
  NewAgentApiKey: object({ name: str(), expires_at: time() }, [], { additionalProperties: false }),
  AgentApiKeyCreated: object({ key: ref('ApiKey'), secret: str('trb_live_…, shown once') }, [
    'key',
    'secret',
  ]),
};
