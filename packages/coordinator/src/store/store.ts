import type { AgentDefinition, AgentRecord, AgentRunRecord } from './agent-records.js';
import type {
  ApiKeyMatch,
  ApiKeyRecord,
  AuditEntry,
  AuditQuery,
  AuditRecord,
  GroupChange,
  GroupRecord,
  NewApiKey,
  NewPolicyVersion,
  NewUser,
  Page,
  PolicyVersionRecord,
  PolicyVersionSummary,
  RoleRecord,
  SavedQueryContent,
  SavedQueryQuery,
  SavedQueryRecord,
  SavedQueryVersionRecord,
  TableTagsChange,
  TableTagsRecord,
  TenantChange,
  TenantRecord,
  UserChange,
  UserQuery,
  UserRecord,
} from './records.js';

// The coordinator's persistent state behind one narrow interface, so an
// embedded database today and a server-backed one later are interchangeable.
// Every repository is partitioned by tenant: apart from the API-key lookup by
// secret (the key names its tenant), every call takes the tenant first.
//
// Failures that belong to the error model are TributaryErrors: NOT_FOUND for a
// missing target of a change, CONFLICT for duplicates and stale versions,
// INVALID_ARGUMENT for references to things that do not exist (an unknown
// role) and for cursors the store did not issue.

export interface TenantRepository {
  /** The tenant, created with its built-in roles and hash salt when missing. */
  ensure(id: string, displayName?: string): Promise<TenantRecord>;
  get(id: string): Promise<TenantRecord | undefined>;
  update(id: string, change: TenantChange): Promise<TenantRecord>;
}

export interface UserRepository {
  create(tenant: string, user: NewUser): Promise<UserRecord>;
  get(tenant: string, id: string): Promise<UserRecord | undefined>;
  findBySubject(tenant: string, subject: string): Promise<UserRecord | undefined>;
  /** Whether an admin deleted this subject's user (and none was created for it since). */
  isDeletedSubject(tenant: string, subject: string): Promise<boolean>;
  /** Ordered by id. */
  list(tenant: string, query: UserQuery): Promise<Page<UserRecord>>;
  update(tenant: string, id: string, change: UserChange): Promise<UserRecord>;
  /**
   * Removes the user, its role assignments and group memberships and revokes its API keys, in
   * one transaction. The subject is remembered as deleted, so a token for it
   * is refused rather than treated as an unknown identity.
   */
  delete(tenant: string, id: string): Promise<{ user: UserRecord; revokedKeys: number } | undefined>;
}

export interface RoleRepository {
  list(tenant: string): Promise<RoleRecord[]>;
  get(tenant: string, name: string): Promise<RoleRecord | undefined>;
  create(tenant: string, role: { name: string; description: string }): Promise<RoleRecord>;
  update(tenant: string, name: string, change: { description: string }): Promise<RoleRecord>;
  /** Removes a custom role and every assignment of it. */
  delete(tenant: string, name: string): Promise<{ role: RoleRecord; unassignedUsers: number } | undefined>;
}

export interface GroupRepository {
  /** Ordered by name. */
  list(tenant: string): Promise<GroupRecord[]>;
  get(tenant: string, name: string): Promise<GroupRecord | undefined>;
  /** INVALID_ARGUMENT when a member is not a user of the tenant; CONFLICT when the name is taken. */
  create(
    tenant: string,
    group: { name: string; description: string; members?: string[] },
  ): Promise<GroupRecord>;
  /** Changes the description (when given), then adds and removes members. */
  update(tenant: string, name: string, change: GroupChange): Promise<GroupRecord>;
  /** Replaces every member of the group. */
  setMembers(tenant: string, name: string, members: readonly string[]): Promise<GroupRecord>;
  addMembers(tenant: string, name: string, members: readonly string[]): Promise<GroupRecord>;
  removeMembers(tenant: string, name: string, members: readonly string[]): Promise<GroupRecord>;
  /** Names of the user's groups, sorted. */
  groupsOf(tenant: string, userId: string): Promise<string[]>;
  /** Removes the group and every membership of it. */
  delete(tenant: string, name: string): Promise<{ group: GroupRecord; removedMembers: number } | undefined>;
}

export interface ApiKeyRepository {
  create(tenant: string, key: NewApiKey): Promise<ApiKeyRecord>;
  get(tenant: string, id: string): Promise<ApiKeyRecord | undefined>;
  list(tenant: string, query: { ownerUserId?: string; includeRevoked?: boolean }): Promise<ApiKeyRecord[]>;
  /** Adds a new secret; every older secret of the key stops working at `previousSecretExpiresAt` at the latest. */
  rotate(
    tenant: string,
    id: string,
    secret: { secretSha256: string; previousSecretExpiresAt: number },
  ): Promise<ApiKeyRecord>;
  revoke(tenant: string, id: string): Promise<ApiKeyRecord>;
  /** The key holding a secret with this digest, whatever its state: validity is the caller's decision. */
  findBySecret(secretSha256: string): Promise<ApiKeyMatch | undefined>;
  recordUse(tenant: string, id: string, at: number): Promise<void>;
}

export interface PolicyRepository {
  current(tenant: string): Promise<PolicyVersionRecord | undefined>;
  get(tenant: string, version: number): Promise<PolicyVersionRecord | undefined>;
  /** Newest first. */
  listVersions(
    tenant: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<PolicyVersionSummary>>;
  /** Stores the next version if `expectedVersion` is the current one; CONFLICT otherwise. */
  publish(tenant: string, version: NewPolicyVersion): Promise<PolicyVersionRecord>;
}

export interface TagRepository {
  list(tenant: string, table?: string): Promise<TableTagsRecord[]>;
  /** Replaces every tag of the table and its columns. */
  replace(tenant: string, table: string, change: TableTagsChange): Promise<TableTagsRecord>;
}

export interface AuditRepository {
  append(entries: readonly AuditEntry[]): Promise<void>;
  /** Newest first. */
  list(tenant: string, query: AuditQuery): Promise<Page<AuditRecord>>;
}

export interface SavedQueryRepository {
  /** The query with its first version. CONFLICT when the tenant has a query of that name. */
  create(
    tenant: string,
    query: { id: string; owner: string; comment: string } & SavedQueryContent,
  ): Promise<SavedQueryRecord>;
  get(tenant: string, id: string): Promise<SavedQueryRecord | undefined>;
  /** Ordered by name. */
  list(tenant: string, query: SavedQueryQuery): Promise<Page<SavedQueryRecord>>;
  /**
   * Stores the next version (the whole content) and makes it current.
   * NOT_FOUND for an unknown query; CONFLICT when `expectedVersion` is given
   * and is not the current one, or the new name is taken.
   */
  addVersion(
    tenant: string,
    id: string,
    version: SavedQueryContent & { author: string; comment: string; expectedVersion?: number },
  ): Promise<SavedQueryRecord>;
  getVersion(tenant: string, id: string, version: number): Promise<SavedQueryVersionRecord | undefined>;
  /** Newest first. */
  listVersions(
    tenant: string,
    id: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<SavedQueryVersionRecord>>;
  /** Removes the query and every version. */
  delete(tenant: string, id: string): Promise<SavedQueryRecord | undefined>;
}

export interface AgentRepository {
  /** CONFLICT when the tenant has an agent of that name. */
  create(tenant: string, agent: { id: string; owner: string } & AgentDefinition): Promise<AgentRecord>;
  get(tenant: string, id: string): Promise<AgentRecord | undefined>;
  /** By name; only one owner's agents when `owner` is set. */
  list(tenant: string, query: { owner?: string; limit: number; cursor?: string }): Promise<Page<AgentRecord>>;
  /** Replaces the definition and bumps the version; CONFLICT when `expectedVersion` is stale. */
  update(
    tenant: string,
    id: string,
    definition: AgentDefinition & { expectedVersion?: number },
  ): Promise<AgentRecord>;
  /** Removes the agent and its runs; the removed agent, or undefined when there was none. */
  delete(tenant: string, id: string): Promise<AgentRecord | undefined>;
  /** Inserts or replaces a run's state and transcript. */
  saveRun(run: AgentRunRecord): Promise<void>;
  getRun(tenant: string, id: string): Promise<AgentRunRecord | undefined>;
  /** Runs of every tenant still marked running (after a restart: runs that were cut off). */
  runningRuns(): Promise<AgentRunRecord[]>;
  /** Newest first. */
  listRuns(
    tenant: string,
    agentId: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<AgentRunRecord>>;
}

export interface Store {
  readonly tenants: TenantRepository;
  readonly users: UserRepository;
  readonly roles: RoleRepository;
  readonly groups: GroupRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly policies: PolicyRepository;
  readonly tags: TagRepository;
  readonly audit: AuditRepository;
  readonly savedQueries: SavedQueryRepository;
  readonly agents: AgentRepository;
  /**
   * Changes whenever this process commits a change to identities, keys,
   * roles, policies or tags, so callers can cache reads between changes.
   */
  readonly generation: number;
  /** Waits for work in flight, then releases the database. */
  close(): Promise<void>;
}
