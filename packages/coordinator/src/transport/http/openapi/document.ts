import { TRIBUTARY_VERSION } from '@tributary/core';
import { ref, SCHEMAS } from './schemas.js';

// The OpenAPI 3.1 description of the HTTP API, written out by hand: the
// routes decode JSON themselves (the same checks serve every protocol), so
// there are no route schemas to generate it from. A unit test compares it
// with the routes Fastify really serves, both ways.

type Json = Record<string, unknown>;

const ERRORS: Record<number, [string, string]> = {
  400: ['BadRequest', 'INVALID_ARGUMENT: the request is malformed or a value is out of range'],
  401: ['Unauthenticated', 'UNAUTHENTICATED: no valid credential'],
  403: ['Forbidden', 'UNAUTHORIZED / QUERY_UNAUTHORIZED: the credential may not do this'],
  404: ['NotFound', 'NOT_FOUND (also for what exists but the caller may not see)'],
  409: ['Conflict', 'CONFLICT: a duplicate, a stale version or a state that does not allow it'],
  413: ['PayloadTooLarge', 'PAYLOAD_TOO_LARGE'],
  429: ['RateLimited', 'RATE_LIMITED, with Retry-After'],
  500: ['Internal', 'INTERNAL: details only in the logs, under the request id'],
  503: ['Unavailable', 'UNAVAILABLE: no edge serves a source, or the coordinator is stopping'],
  504: ['DeadlineExceeded', 'DEADLINE_EXCEEDED'],
};

const jsonContent = (schema: Json) => ({ 'application/json': { schema } });

const RESULT_CONTENT = {
  'application/json': { schema: ref('QueryResult') },
  'application/x-ndjson': { schema: { type: 'string', description: 'One JSON row per line' } },
  'text/csv': { schema: { type: 'string', description: 'RFC 4180, a header line first' } },
  'application/vnd.apache.arrow.stream': {
    schema: { type: 'string', contentMediaType: 'application/vnd.apache.arrow.stream' },
  },
};

const REQUEST_ID_HEADER = {
  'x-request-id': { description: 'The request id (sent or generated)', schema: { type: 'string' } },
};

const path = (name: string, description: string, schema: Json = { type: 'string' }) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
});
const query = (name: string, description: string, schema: Json = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});
const PAGE = [
  query('page_size', '1 to 1000; 100 by default', { type: 'integer', minimum: 0, maximum: 1000 }),
  query('page_token', 'next_page_token of the previous page'),
];

interface OperationSpec {
  id: string;
  summary: string;
  description?: string;
  params?: Json[];
  body?: Json;
  /** Status → description and content (a schema for JSON, or a content map). */
  responses: Record<string, { description: string; schema?: Json; content?: Json; headers?: Json }>;
  errors?: number[];
  /** No credential needed. */
  public?: boolean;
}

function operation(tag: string, spec: OperationSpec): Json {
  const responses: Json = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    const content = response.content ?? (response.schema ? jsonContent(response.schema) : undefined);
    responses[status] = {
      description: response.description,
      headers: { ...REQUEST_ID_HEADER, ...response.headers },
      ...(content ? { content } : {}),
    };
  }
  const errors = new Set([...(spec.public ? [] : [400, 401, 403]), ...(spec.errors ?? []), 500]);
  for (const status of [...errors].sort()) {
    responses[String(status)] = { $ref: `#/components/responses/${ERRORS[status]?.[0]}` };
  }
  return {
    tags: [tag],
    operationId: spec.id,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.params ? { parameters: spec.params } : {}),
    ...(spec.body ? { requestBody: { required: true, content: jsonContent(spec.body) } } : {}),
    responses,
    ...(spec.public ? { security: [] } : {}),
  };
}

const LOCATION = { location: { description: 'The created resource', schema: { type: 'string' } } };
const RUN_ID = path('id', 'A query run id (run_…)');
const SAVED_ID = path('id', 'A saved query id (sq_…)');
const TABLE = path('table', 'source.schema.table');
const ACCEPTED = {
  description: 'Still running: a query run',
  schema: ref('QueryRunAccepted'),
  headers: { location: { schema: { type: 'string' } }, 'x-query-run-id': { schema: { type: 'string' } } },
};
const RESULT = { description: 'The result, streamed in the negotiated format', content: RESULT_CONTENT };

function paths(): Json {
  const health = (id: string, summary: string, schema: string, extra: Json = {}) => ({
    get: operation('health', {
      id,
      summary,
      public: true,
      responses: { 200: { description: 'OK', schema: ref(schema) }, ...extra },
    }),
  });
  return {
    '/health': health('health', 'Liveness', 'Health'),
    '/health/live': health('healthLive', 'Liveness', 'Health'),
    '/health/ready': health(
      'healthReady',
      'Readiness: edges registered and every source served',
      'Readiness',
      {
        503: { description: 'Not ready', schema: ref('Readiness') },
      },
    ),
    '/metrics': {
      get: operation('health', {
        id: 'metrics',
        summary: 'Prometheus metrics (when enabled; behind a bearer token when one is configured)',
        public: true,
        errors: [401],
        responses: {
          200: {
            description: 'Prometheus text format',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      }),
    },
    '/v1/openapi.json': {
      get: operation('docs', {
        id: 'openApiDocument',
        summary: 'This document',
        public: true,
        responses: { 200: { description: 'OpenAPI 3.1', schema: { type: 'object' } } },
      }),
    },
    '/docs': {
      get: operation('docs', {
        id: 'apiDocs',
        summary: 'Browsable API documentation',
        public: true,
        responses: { 200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } },
      }),
    },
    '/docs/{file}': {
      get: operation('docs', {
        id: 'apiDocsAsset',
        summary: 'A file of the documentation page (scripts, styles)',
        public: true,
        params: [path('file', 'File name')],
        errors: [404],
        responses: { 200: { description: 'The file', content: { '*/*': { schema: { type: 'string' } } } } },
      }),
    },
    '/v1/query': {
      post: operation('query', {
        id: 'executeQuery',
        summary: 'Run a query',
        description:
          'Streams the result as JSON (default), NDJSON, CSV or Arrow IPC by Accept. With `async` or `async_after_ms` the query becomes a query run.',
        body: ref('QueryRequest'),
        errors: [404, 409, 413, 429, 503, 504],
        responses: { 200: RESULT, 202: ACCEPTED },
      }),
    },
    '/v1/query/validate': {
      post: operation('query', {
        id: 'validateQuery',
        summary: 'Check a query without running it: tables, columns, access, output columns',
        body: ref('ValidateRequest'),
        responses: { 200: { description: 'Validation outcome', schema: ref('ValidateResponse') } },
      }),
    },
    '/v1/query/build': {
      post: operation('query', {
        id: 'buildQuery',
        summary: 'Build SQL over one table from columns, filters and ordering',
        body: ref('BuildRequest'),
        errors: [404],
        responses: { 200: { description: 'SQL and its parameters', schema: ref('BuildResponse') } },
      }),
    },
    '/v1/query-runs': {
      get: operation('query runs', {
        id: 'listQueryRuns',
        summary: "The caller's query runs, newest first (a tenant admin sees every run of the tenant)",
        params: [
          query('status', 'Only runs in this status', {
            type: 'string',
            enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'],
          }),
          ...PAGE,
        ],
        responses: { 200: { description: 'A page of runs', schema: ref('QueryRunPage') } },
      }),
    },
    '/v1/query-runs/{id}': {
      get: operation('query runs', {
        id: 'getQueryRun',
        summary: 'A query run: status, timings, counts, error',
        params: [RUN_ID],
        errors: [404],
        responses: { 200: { description: 'The run', schema: ref('QueryRun') } },
      }),
      delete: operation('query runs', {
        id: 'cancelQueryRun',
        summary: 'Cancel a queued or running run; remove a finished one with its result',
        params: [RUN_ID],
        errors: [404],
        responses: {
          200: { description: 'Cancelled; the query stops at the edge', schema: ref('QueryRun') },
          204: { description: 'The finished run and its result were removed' },
        },
      }),
    },
    '/v1/results/{id}': {
      get: operation('query runs', {
        id: 'getQueryRunResult',
        summary: "A page of a succeeded run's result (only its submitter reads it)",
        description:
          'Format by Accept or `format`. The next page\u2019s cursor is `next_cursor` in JSON and the `x-next-cursor` and `Link` headers in every format.',
        params: [
          RUN_ID,
          query('format', 'Overrides Accept', { type: 'string', enum: ['json', 'ndjson', 'csv', 'arrow'] }),
          query('limit', 'Rows in the page; JSON 10000 by default, other formats every remaining row', {
            type: 'integer',
            minimum: 1,
          }),
          query('cursor', 'From the previous page'),
        ],
        errors: [404, 409],
        responses: {
          200: {
            description: 'Rows',
            content: { ...RESULT_CONTENT, 'application/json': { schema: ref('ResultPage') } },
            headers: {
              'x-next-cursor': { schema: { type: 'string' } },
              link: { schema: { type: 'string' }, description: '<…>; rel="next"' },
            },
          },
        },
      }),
    },
    '/v1/queries': {
      get: operation('saved queries', {
        id: 'listSavedQueries',
        summary: "The tenant's saved queries, by name",
        params: [query('filter', 'Case-insensitive substring of name or description'), ...PAGE],
        responses: { 200: { description: 'A page of saved queries', schema: ref('SavedQueryPage') } },
      }),
      post: operation('saved queries', {
        id: 'createSavedQuery',
        summary: 'Save a query (version 1)',
        body: ref('NewSavedQuery'),
        errors: [409],
        responses: {
          201: {
            description: 'Created',
            schema: ref('SavedQuery'),
            headers: { location: { schema: { type: 'string' } } },
          },
        },
      }),
    },
    '/v1/queries/{id}': {
      get: operation('saved queries', {
        id: 'getSavedQuery',
        summary: 'A saved query, at its current version',
        params: [SAVED_ID],
        errors: [404],
        responses: { 200: { description: 'The saved query', schema: ref('SavedQuery') } },
      }),
      patch: operation('saved queries', {
        id: 'updateSavedQuery',
        summary: 'Save a new version (creator or tenant admin)',
        params: [SAVED_ID],
        body: ref('SavedQueryChange'),
        errors: [404, 409],
        responses: { 200: { description: 'The new current version', schema: ref('SavedQuery') } },
      }),
      delete: operation('saved queries', {
        id: 'deleteSavedQuery',
        summary: 'Delete with every version (creator or tenant admin)',
        params: [SAVED_ID],
        errors: [404],
        responses: { 204: { description: 'Deleted' } },
      }),
    },
    '/v1/queries/{id}/versions': {
      get: operation('saved queries', {
        id: 'listSavedQueryVersions',
        summary: 'Versions, newest first',
        params: [SAVED_ID, ...PAGE],
        errors: [404],
        responses: { 200: { description: 'A page of versions', schema: ref('SavedQueryVersionPage') } },
      }),
    },
    '/v1/queries/{id}/versions/{version}': {
      get: operation('saved queries', {
        id: 'getSavedQueryVersion',
        summary: 'One version',
        params: [SAVED_ID, path('version', 'Version number', { type: 'integer', minimum: 1 })],
        errors: [404],
        responses: { 200: { description: 'The version', schema: ref('SavedQueryVersion') } },
      }),
    },
    '/v1/queries/{id}/execute': {
      post: operation('saved queries', {
        id: 'executeSavedQuery',
        summary: 'Run a saved query with parameter values, as the caller (like POST /v1/query)',
        params: [SAVED_ID],
        body: ref('SavedQueryExecution'),
        errors: [404, 409, 413, 429, 503, 504],
        responses: { 200: RESULT, 202: ACCEPTED },
      }),
    },
    ...catalogPaths(),
    ...adminPaths(),
    ...agentPaths(),
  };
}

const AGENT_ID = path('id', 'An agent id (agt_…)');
const AGENT_RUN_ID = path('run_id', 'An agent run id (arun_…)');

function agentPaths(): Json {
  const run = (id: string, summary: string, errors: number[] = [404]) =>
    operation('agents', {
      id,
      summary,
      params: [AGENT_RUN_ID],
      errors,
      responses: { 200: { description: 'The run with its transcript', schema: ref('AgentRun') } },
    });
  return {
    '/v1/agents': {
      get: operation('agents', {
        id: 'listAgents',
        summary: "The caller's agents (a tenant admin: all), by name",
        params: PAGE,
        responses: { 200: { description: 'A page of agents', schema: ref('AgentPage') } },
      }),
      post: operation('agents', {
        id: 'createAgent',
        summary: 'Create an agent (version 1), owned by the caller unless an admin names another user',
        body: ref('NewAgent'),
        errors: [409],
        responses: {
          201: {
            description: 'Created',
            schema: ref('Agent'),
            headers: { location: { schema: { type: 'string' } } },
          },
        },
      }),
    },
    '/v1/agents/{id}': {
      get: operation('agents', {
        id: 'getAgent',
        summary: 'An agent (its owner, a tenant admin, or the agent itself)',
        params: [AGENT_ID],
        errors: [404],
        responses: { 200: { description: 'The agent', schema: ref('Agent') } },
      }),
      put: operation('agents', {
        id: 'updateAgent',
        summary: 'Replace the definition (a new version)',
        params: [AGENT_ID],
        body: ref('AgentChange'),
        errors: [404, 409],
        responses: { 200: { description: 'The new version', schema: ref('Agent') } },
      }),
      delete: operation('agents', {
        id: 'deleteAgent',
        summary: 'Delete an agent and its runs (running ones are cancelled)',
        params: [AGENT_ID],
        errors: [404],
        responses: { 204: { description: 'Deleted' } },
      }),
    },
    '/v1/agents/{id}/runs': {
      post: operation('agents', {
        id: 'runAgent',
        summary: 'Run the agent and stream its events (NDJSON, or server-sent events)',
        description:
          'The run goes on if the client disconnects; GET /v1/agent-runs/{run_id} reads it and POST …/cancel stops it.',
        params: [AGENT_ID],
        body: ref('AgentRunRequest'),
        errors: [404, 503],
        responses: {
          200: {
            description: 'The run events, ending with run_finished or run_failed',
            headers: {
              'x-agent-run-id': { schema: { type: 'string' } },
              location: { schema: { type: 'string' } },
            },
            content: {
              'application/x-ndjson': {
                schema: { type: 'string', description: 'One AgentRunEvent per line' },
              },
              'text/event-stream': {
                schema: {
                  type: 'string',
                  description: 'One event per AgentRunEvent; the event name is its kind',
                },
              },
            },
          },
        },
      }),
      get: operation('agents', {
        id: 'listAgentRuns',
        summary: "An agent's runs, newest first (without transcripts)",
        params: [AGENT_ID, ...PAGE],
        errors: [404],
        responses: { 200: { description: 'A page of runs', schema: ref('AgentRunPage') } },
      }),
    },
    '/v1/agents/{id}/api-keys': {
      post: operation('agents', {
        id: 'createAgentApiKey',
        summary: 'An API key that authenticates as the agent (the secret is shown once)',
        params: [AGENT_ID],
        body: ref('NewAgentApiKey'),
        errors: [404],
        responses: { 201: { description: 'Created', schema: ref('AgentApiKeyCreated') } },
      }),
    },
    '/v1/agent-runs/{run_id}': { get: run('getAgentRun', 'A run with its full transcript and query ids') },
    '/v1/agent-runs/{run_id}/cancel': {
      post: run('cancelAgentRun', 'Cancel a running run (its running query is interrupted)'),
    },
  };
}

function catalogPaths(): Json {
  return {
    '/v1/catalog/sources': {
      get: operation('catalog', {
        id: 'listSources',
        summary: 'Sources the caller can read from',
        params: PAGE,
        responses: { 200: { description: 'Sources', schema: ref('SourceList') } },
      }),
    },
    '/v1/catalog/tables': {
      get: operation('catalog', {
        id: 'listTables',
        summary: 'Tables the caller may read',
        params: [
          query('source', 'Only this source'),
          query('schema', 'Only this schema'),
          query('filter', 'Substring of source.schema.table'),
          ...PAGE,
        ],
        responses: { 200: { description: 'A page of tables', schema: ref('TablePage') } },
      }),
    },
    '/v1/catalog/tables/{table}': {
      get: operation('catalog', {
        id: 'getTable',
        summary: 'A table with its columns',
        params: [TABLE],
        errors: [404],
        responses: { 200: { description: 'The table', schema: ref('Table') } },
      }),
    },
    '/v1/catalog/tables/{table}/access': {
      get: operation('catalog', {
        id: 'explainAccess',
        summary: 'What the caller can see in a table: columns, masks, filters',
        params: [TABLE],
        errors: [404],
        responses: { 200: { description: 'Access', schema: ref('TableAccess') } },
      }),
    },
    '/v1/catalog/tables/{table}/records': {
      get: operation('catalog', {
        id: 'getRecords',
        summary: 'The first rows of a table, governed',
        params: [
          TABLE,
          query('limit', 'Rows', { type: 'integer', minimum: 0 }),
          query('columns', 'Comma-separated column names'),
        ],
        errors: [404, 503, 504],
        responses: { 200: RESULT },
      }),
    },
  };
}

function adminPaths(): Json {
  const admin = (spec: OperationSpec) => operation('admin', spec);
  const NAME = path('name', 'Name');
  const ID = path('id', 'Id');
  const SOURCE = path('source', 'Source name');
  return {
    '/v1/sources/{source}/refresh': {
      post: admin({
        id: 'refreshSchema',
        summary: 'Rediscover a source’s schema (or one table of it) at the edges serving it',
        params: [SOURCE],
        body: ref('SchemaRefresh'),
        errors: [400, 404, 503],
        responses: { 200: { description: 'The refreshed source', schema: ref('SchemaRefreshResult') } },
      }),
    },
    '/v1/sources/{source}/health': {
      get: admin({
        id: 'getSourceHealth',
        summary: 'Reachability and latency of a source at each edge serving it',
        params: [SOURCE],
        errors: [404],
        responses: { 200: { description: 'Per-edge health', schema: ref('SourceHealth') } },
      }),
    },
    '/v1/tenant': {
      get: admin({
        id: 'getTenant',
        summary: 'The tenant',
        responses: { 200: { description: 'Tenant', schema: ref('Tenant') } },
      }),
      patch: admin({
        id: 'updateTenant',
        summary: 'Change display name and settings',
        body: ref('TenantChange'),
        responses: { 200: { description: 'Tenant', schema: ref('Tenant') } },
      }),
    },
    '/v1/users': {
      get: admin({
        id: 'listUsers',
        summary: 'Users',
        params: [
          query('filter', 'Substring of subject, email or display name'),
          query('role', 'Only holders of this role'),
          ...PAGE,
        ],
        responses: { 200: { description: 'A page of users', schema: ref('UserPage') } },
      }),
      post: admin({
        id: 'createUser',
        summary: 'Create a user',
        body: ref('NewUser'),
        errors: [409],
        responses: { 201: { description: 'Created', schema: ref('User'), headers: LOCATION } },
      }),
    },
    '/v1/users/{id}': {
      get: admin({
        id: 'getUser',
        summary: 'A user',
        params: [ID],
        errors: [404],
        responses: { 200: { description: 'User', schema: ref('User') } },
      }),
      patch: admin({
        id: 'updateUser',
        summary: 'Change a user',
        params: [ID],
        body: ref('UserChange'),
        errors: [404],
        responses: { 200: { description: 'User', schema: ref('User') } },
      }),
      delete: admin({
        id: 'deleteUser',
        summary: 'Delete a user and revoke its keys',
        params: [ID],
        errors: [404],
        responses: { 200: { description: 'Deleted', schema: ref('DeletedUser') } },
      }),
    },
    '/v1/users/{id}/revoke-tokens': {
      post: admin({
        id: 'revokeUserTokens',
        summary: 'Refuse every token of the user issued before now, on every replica',
        params: [ID],
        errors: [404],
        responses: { 200: { description: 'Revoked', schema: ref('TokenRevocation') } },
      }),
    },
    '/v1/tokens/revoke': {
      post: admin({
        id: 'revokeTokens',
        summary: 'Refuse one token (by jti) or every token of a subject issued before now, on every replica',
        body: ref('TokenRevocationRequest'),
        responses: { 200: { description: 'Revoked', schema: ref('TokenRevocation') } },
      }),
    },
    '/v1/roles': {
      get: admin({
        id: 'listRoles',
        summary: 'Roles',
        params: PAGE,
        responses: { 200: { description: 'Roles', schema: ref('RoleList') } },
      }),
      post: admin({
        id: 'createRole',
        summary: 'Create a role',
        body: ref('NewRole'),
        errors: [409],
        responses: { 201: { description: 'Created', schema: ref('Role') } },
      }),
    },
    '/v1/roles/{name}': {
      patch: admin({
        id: 'updateRole',
        summary: 'Change a role',
        params: [NAME],
        body: ref('RoleChange'),
        errors: [404],
        responses: { 200: { description: 'Role', schema: ref('Role') } },
      }),
      delete: admin({
        id: 'deleteRole',
        summary: 'Delete a custom role',
        params: [NAME],
        errors: [404],
        responses: { 200: { description: 'Deleted', schema: ref('DeletedRole') } },
      }),
    },
    '/v1/groups': {
      get: admin({
        id: 'listGroups',
        summary: 'Groups',
        params: PAGE,
        responses: { 200: { description: 'Groups', schema: ref('GroupList') } },
      }),
      post: admin({
        id: 'createGroup',
        summary: 'Create a group',
        body: ref('NewGroup'),
        errors: [409],
        responses: { 201: { description: 'Created', schema: ref('Group'), headers: LOCATION } },
      }),
    },
    '/v1/groups/{name}': {
      get: admin({
        id: 'getGroup',
        summary: 'A group',
        params: [NAME],
        errors: [404],
        responses: { 200: { description: 'Group', schema: ref('Group') } },
      }),
      patch: admin({
        id: 'updateGroup',
        summary: 'Change a group and its members',
        params: [NAME],
        body: ref('GroupChange'),
        errors: [404],
        responses: { 200: { description: 'Group', schema: ref('Group') } },
      }),
      delete: admin({
        id: 'deleteGroup',
        summary: 'Delete a group',
        params: [NAME],
        errors: [404],
        responses: { 200: { description: 'Deleted', schema: ref('DeletedGroup') } },
      }),
    },
    '/v1/api-keys': {
      get: admin({
        id: 'listApiKeys',
        summary: 'API keys (never their secrets)',
        params: [
          query('owner_user_id', "Only this user's keys"),
          query('include_revoked', 'Also revoked keys', { type: 'boolean' }),
          ...PAGE,
        ],
        responses: { 200: { description: 'Keys', schema: ref('ApiKeyList') } },
      }),
      post: admin({
        id: 'createApiKey',
        summary: 'Create a key; the secret is shown once',
        body: ref('NewApiKey'),
        responses: { 201: { description: 'Created', schema: ref('ApiKeySecret') } },
      }),
    },
    '/v1/api-keys/{id}': {
      delete: admin({
        id: 'revokeApiKey',
        summary: 'Revoke a key at once',
        params: [ID],
        errors: [404],
        responses: { 200: { description: 'Revoked', schema: ref('ApiKey') } },
      }),
    },
    '/v1/api-keys/{id}/rotate': {
      post: admin({
        id: 'rotateApiKey',
        summary: 'A new secret; the old one works for the grace period',
        params: [ID],
        body: ref('ApiKeyRotation'),
        errors: [404],
        responses: { 200: { description: 'Rotated', schema: ref('ApiKeySecret') } },
      }),
    },
    '/v1/policies': {
      get: admin({
        id: 'getPolicies',
        summary: 'The current policy document',
        errors: [404],
        responses: { 200: { description: 'Policies', schema: ref('Policy') } },
      }),
      put: admin({
        id: 'putPolicies',
        summary: 'Publish a new policy version',
        body: ref('PolicyChange'),
        errors: [409],
        responses: { 200: { description: 'Published', schema: ref('Policy') } },
      }),
    },
    '/v1/policies/versions': {
      get: admin({
        id: 'listPolicyVersions',
        summary: 'Policy versions, newest first',
        params: PAGE,
        responses: { 200: { description: 'A page of versions', schema: ref('PolicyVersionPage') } },
      }),
    },
    '/v1/policies/versions/{version}': {
      get: admin({
        id: 'getPolicyVersion',
        summary: 'One policy version',
        params: [path('version', 'Version', { type: 'integer', minimum: 1 })],
        errors: [404],
        responses: { 200: { description: 'Policy', schema: ref('Policy') } },
      }),
    },
    '/v1/tags': {
      get: admin({
        id: 'listTags',
        summary: 'Table and column tags',
        params: [query('table', 'Only this table'), ...PAGE],
        responses: { 200: { description: 'Tags', schema: ref('TableTagsList') } },
      }),
      put: admin({
        id: 'putTags',
        summary: "Replace a table's tags",
        body: ref('TableTagsChange'),
        responses: { 200: { description: 'Tags', schema: ref('TableTags') } },
      }),
    },
    '/v1/audit': {
      get: admin({
        id: 'listAuditRecords',
        summary: 'The audit log, newest first',
        params: [
          query('from', 'At or after (RFC 3339)'),
          query('to', 'Before (RFC 3339)'),
          query('subject', 'Only this subject'),
          query('kind', 'query or admin', { type: 'string', enum: ['query', 'admin'] }),
          ...PAGE,
        ],
        responses: { 200: { description: 'A page of records', schema: ref('AuditPage') } },
      }),
    },
  };
}

/** The OpenAPI 3.1 document of the HTTP API. */
export function openApiDocument(): Json {
  const responses: Json = {};
  for (const [, [name, description]] of Object.entries(ERRORS)) {
    responses[name] = {
      description,
      headers: REQUEST_ID_HEADER,
      content: jsonContent(ref('ErrorEnvelope')),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tributary HTTP API',
      version: TRIBUTARY_VERSION,
      description:
        'Governed, federated SQL over HTTP. Every call but health and docs needs a bearer JWT or an API key; every error is the ErrorEnvelope.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    security: [{ bearerJwt: [] }, { apiKey: [] }],
    tags: [
      { name: 'query' },
      { name: 'query runs' },
      { name: 'saved queries' },
      { name: 'catalog' },
      {
        name: 'agents',
        description: "Non-human principals reading with their owner's access narrowed by their scope",
      },
      { name: 'admin', description: 'Needs the admin role (and, on a scoped key, the admin scope)' },
      { name: 'health' },
      { name: 'docs' },
    ],
    paths: paths(),
    components: {
      securitySchemes: {
        bearerJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A JWT, or an API key as the bearer token',
        },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'trb_live_…' },
      },
      schemas: SCHEMAS,
      responses,
    },
  };
}
