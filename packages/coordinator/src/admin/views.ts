import type {
  ApiKey__Input,
  AuditRecord__Input,
  Group__Input,
  PolicyDocument__Input,
  PolicyVersion__Input,
  Role__Input,
  TableTags__Input,
  Tenant__Input,
  User__Input,
  Value__Input,
} from '@tributary/core';
import type {
  ApiKeyRecord,
  AttributeValue,
  AuditRecord,
  GroupRecord,
  PolicyVersionRecord,
  PolicyVersionSummary,
  RoleRecord,
  TableTagsRecord,
  TenantRecord,
  UserRecord,
} from '../store/index.js';

// Store records as AdminService messages. No view carries a key digest;
// only the tenant view carries the hash salt, and the audit log removes it.

export function iso(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toISOString();
}

function attributeValue(value: AttributeValue): Value__Input {
  if (typeof value === 'string') return { string_value: value };
  if (typeof value === 'boolean') return { bool_value: value };
  return Number.isSafeInteger(value) ? { int_value: String(value) } : { double_value: value };
}

export function tenantView(tenant: TenantRecord): Tenant__Input {
  return {
    id: tenant.id,
    display_name: tenant.displayName,
    settings: { ...tenant.settings },
    hash_salt: tenant.hashSalt,
    created_at: iso(tenant.createdAt),
    updated_at: iso(tenant.updatedAt),
  };
}

export function userView(user: UserRecord): User__Input {
  return {
    id: user.id,
    subject: user.subject,
    email: user.email,
    display_name: user.displayName,
    roles: [...user.roles],
    groups: [...user.groups],
    attributes: Object.fromEntries(Object.entries(user.attributes).map(([k, v]) => [k, attributeValue(v)])),
    disabled: user.disabled,
    created_at: iso(user.createdAt),
    updated_at: iso(user.updatedAt),
  };
}

export function roleView(role: RoleRecord): Role__Input {
  return {
    name: role.name,
    description: role.description,
    built_in: role.builtIn,
    created_at: iso(role.createdAt),
    updated_at: iso(role.updatedAt),
  };
}

export function groupView(group: GroupRecord): Group__Input {
  return {
    name: group.name,
    description: group.description,
    member_user_ids: [...group.members],
    created_at: iso(group.createdAt),
    updated_at: iso(group.updatedAt),
  };
}

export function apiKeyView(key: ApiKeyRecord, ownerSubject: string): ApiKey__Input {
  return {
    id: key.id,
    name: key.name,
    owner_user_id: key.ownerUserId,
    owner_subject: ownerSubject,
    scopes: [...key.scopes],
    expires_at: iso(key.expiresAt),
    created_at: iso(key.createdAt),
    last_used_at: iso(key.lastUsedAt),
    revoked_at: iso(key.revokedAt),
    rotated_at: iso(key.rotatedAt),
    previous_secret_expires_at: iso(key.previousSecretExpiresAt),
  };
}

export function policyView(version: PolicyVersionRecord | undefined): PolicyDocument__Input {
  if (!version) return { version: 0, document_json: '', author: '', comment: '', created_at: '' };
  return {
    version: version.version,
    document_json: version.document,
    author: version.author,
    comment: version.comment,
    created_at: iso(version.createdAt),
  };
}

export function policyVersionView(version: PolicyVersionSummary): PolicyVersion__Input {
  return {
    version: version.version,
    author: version.author,
    comment: version.comment,
    created_at: iso(version.createdAt),
  };
}

export function tableTagsView(tags: TableTagsRecord): TableTags__Input {
  return {
    table: tags.table,
    tags: [...tags.tags],
    columns: Object.entries(tags.columns).map(([column, columnTags]) => ({ column, tags: [...columnTags] })),
    updated_at: iso(tags.updatedAt),
  };
}

const json = (value: unknown) => (value === undefined ? '' : JSON.stringify(value));

export function auditRecordView(record: AuditRecord): AuditRecord__Input {
  const common = {
    id: record.id,
    time: iso(record.time),
    kind: record.kind,
    request_id: record.requestId,
    subject: record.subject,
    key_id: record.keyId ?? '',
    trace_id: record.traceId ?? '',
  };
  if (record.kind === 'admin') {
    return {
      ...common,
      admin: {
        action: record.action,
        target: record.target,
        before_json: json(record.before),
        after_json: json(record.after),
      },
    };
  }
  return {
    ...common,
    query: {
      query_id: record.queryId,
      protocol: record.protocol,
      sql: record.sql,
      tables: [...record.tables],
      columns: [...record.columns],
      decision: record.decision,
      reason: record.reason ?? '',
      filters: [...(record.filters ?? [])],
      masks: [...(record.masks ?? [])],
      rows: String(record.rows ?? 0),
      bytes: String(record.bytes ?? 0),
      duration_ms: String(record.durationMs),
      error_code: record.errorCode ?? '',
      agent_id: record.agentId ?? '',
      agent_run_id: record.agentRunId ?? '',
      attempts: (record.attempts ?? []).map((a) => ({
        edge: a.edge,
        error_code: a.errorCode ?? '',
        message: a.message ?? '',
      })),
      from_cache: record.fromCache === true,
    },
  };
}
