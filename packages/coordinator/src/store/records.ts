// What the store keeps, as the rest of the coordinator sees it. Times are
// epoch milliseconds; optional times are undefined when not set.

export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

/** Roles every tenant has from its creation; they cannot be deleted. */
export const BUILT_IN_ROLES = [
  { name: 'admin', description: 'Administers the tenant: identities, keys, policies, audit' },
  { name: 'analyst', description: 'Queries and browses data as policies allow' },
  { name: 'viewer', description: 'Browses the catalog and queries as policies allow' },
] as const;

export const ADMIN_ROLE = 'admin';

export interface TenantRecord {
  id: string;
  displayName: string;
  settings: Record<string, string>;
  /** Salt of the `hash` column mask; generated once, never changed. */
  hashSalt: string;
  createdAt: number;
  updatedAt: number;
}

export interface TenantChange {
  displayName?: string;
  setSettings?: Record<string, string>;
  removeSettings?: string[];
}

export interface UserRecord {
  tenant: string;
  id: string;
  /** The JWT `sub`, or the identity an API key acts as. Never changes. */
  subject: string;
  email: string;
  displayName: string;
  roles: string[];
  /** Names of the groups the user belongs to, sorted. */
  groups: string[];
  attributes: Attributes;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface NewUser {
  subject: string;
  email?: string;
  displayName?: string;
  roles?: string[];
  attributes?: Attributes;
  disabled?: boolean;
}

export interface UserChange {
  email?: string;
  displayName?: string;
  disabled?: boolean;
  addRoles?: string[];
  removeRoles?: string[];
  setAttributes?: Attributes;
  removeAttributes?: string[];
}

export interface UserQuery {
  /** Case-insensitive substring of subject, email or display name. */
  filter?: string;
  role?: string;
  limit: number;
  cursor?: string;
}

export interface RoleRecord {
  tenant: string;
  name: string;
  description: string;
  builtIn: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A named set of users, e.g. synced from an identity provider. */
export interface GroupRecord {
  tenant: string;
  name: string;
  description: string;
  /** Member user ids, sorted. */
  members: string[];
  createdAt: number;
  updatedAt: number;
}

export interface GroupChange {
  description?: string;
  addMembers?: string[];
  removeMembers?: string[];
}

export interface ApiKeyRecord {
  tenant: string;
  id: string;
  name: string;
  ownerUserId: string;
  scopes: string[];
  expiresAt?: number;
  createdAt: number;
  lastUsedAt?: number;
  revokedAt?: number;
  rotatedAt?: number;
  /** Until when the secret replaced by the last rotation still works. */
  previousSecretExpiresAt?: number;
}

export interface NewApiKey {
  id: string;
  name: string;
  ownerUserId: string;
  scopes: string[];
  expiresAt?: number;
  /** Hex SHA-256 of the secret; the secret itself is never stored. */
  secretSha256: string;
}

/** A key found by one of its secrets' digests, with what verification needs. */
export interface ApiKeyMatch {
  key: ApiKeyRecord;
  /** The stored digest that matched, for the constant-time comparison. */
  secretSha256: string;
  /** Set on a secret replaced by a rotation: it works until then. */
  secretExpiresAt?: number;
  /** Undefined when the owner was deleted. */
  owner?: UserRecord;
}

export interface PolicyVersionRecord {
  tenant: string;
  version: number;
  /** The document as JSON text. */
  document: string;
  author: string;
  comment: string;
  createdAt: number;
}

export type PolicyVersionSummary = Omit<PolicyVersionRecord, 'document'>;

export interface NewPolicyVersion {
  document: string;
  author: string;
  comment: string;
  /** The version the document was edited from; 0 when none exists yet. */
  expectedVersion: number;
}

export interface TableTagsRecord {
  tenant: string;
  /** `source.schema.table`. */
  table: string;
  tags: string[];
  /** Column name → its tags; columns without tags are absent. */
  columns: Record<string, string[]>;
  updatedAt: number;
}

export interface TableTagsChange {
  tags: string[];
  columns: Record<string, string[]>;
}

export type QueryDecision = 'allowed' | 'refused' | 'failed';

export interface QueryAuditEntry {
  kind: 'query';
  time: number;
  requestId: string;
  tenant: string;
  subject: string;
  keyId?: string;
  /** The W3C trace id of the request, when it had one. */
  traceId?: string;
  queryId: string;
  protocol: string;
  sql: string;
  tables: string[];
  columns: string[];
  decision: QueryDecision;
  reason?: string;
  filters?: string[];
  masks?: string[];
  rows?: number;
  bytes?: number;
  durationMs: number;
  errorCode?: string;
  /** Each edge the query was tried on, in order; a failed try carries its error. */
  attempts?: QueryAttempt[];
  /** Answered from the result cache: no edge ran it. */
  fromCache?: boolean;
  /** The agent that made the query (`subject` is then its owner), and its run. */
  agentId?: string;
  agentRunId?: string;
}

export interface QueryAttempt {
  edge: string;
  errorCode?: string;
  message?: string;
}

export interface AdminAuditEntry {
  kind: 'admin';
  time: number;
  requestId: string;
  tenant: string;
  subject: string;
  keyId?: string;
  /** The W3C trace id of the request, when it had one. */
  traceId?: string;
  /** e.g. `user.create`. */
  action: string;
  target: string;
  /** State before and after, secrets already removed. */
  before?: unknown;
  after?: unknown;
}

export type AuditEntry = QueryAuditEntry | AdminAuditEntry;

/** An entry as read back, with the id the store gave it. */
export type AuditRecord = AuditEntry & { id: string };

export interface AuditQuery {
  limit: number;
  cursor?: string;
  /** Inclusive, epoch ms. */
  from?: number;
  /** Exclusive, epoch ms. */
  to?: number;
  subject?: string;
  kind?: AuditEntry['kind'];
}

/** One page of a listing; `nextCursor` is opaque and absent on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** A typed, named parameter a saved query declares; its SQL refers to it as `$name`. */
export interface SavedQueryParameter {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'timestamp';
  description?: string;
  /** Used when an execution does not give the parameter; without one, the parameter is required. */
  default?: string | number | boolean;
}

/** What one version of a saved query holds; versions never change once stored. */
export interface SavedQueryContent {
  name: string;
  description: string;
  sql: string;
  parameters: SavedQueryParameter[];
}

export interface SavedQueryVersionRecord extends SavedQueryContent {
  tenant: string;
  queryId: string;
  version: number;
  /** Subject that saved this version. */
  author: string;
  comment: string;
  createdAt: number;
}

/** A saved query as it is now: its current version's content. */
export interface SavedQueryRecord extends SavedQueryContent {
  tenant: string;
  id: string;
  /** Subject that created it. */
  owner: string;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface SavedQueryQuery {
  /** Case-insensitive substring of the name or description. */
  filter?: string;
  limit: number;
  cursor?: string;
}
