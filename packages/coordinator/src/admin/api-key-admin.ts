import { randomBytes } from 'node:crypto';
import {
  type ApiKey__Input,
  type CreateApiKeyRequest,
  type CreateApiKeyResponse__Input,
  type ListApiKeysRequest,
  type ListApiKeysResponse__Input,
  type RotateApiKeyRequest,
  type RotateApiKeyResponse__Input,
  TributaryError,
} from '@tributary/core';
import { API_KEY_SCOPES, type ApiKeyScope, generateApiKey, hashApiKey } from '../auth/index.js';
import { MAX_REVOCATION_MS } from '../shared-state/index.js';
import type { ApiKeyRecord } from '../store/index.js';
import type { AdminContext } from './admin-context.js';
import { type AdminDeps, recordChange } from './admin-deps.js';
import * as input from './input.js';
import { apiKeyView } from './views.js';

const DEFAULT_SCOPES: ApiKeyScope[] = ['query', 'catalog'];
const DEFAULT_GRACE_SECONDS = 24 * 3600;
const MAX_GRACE_SECONDS = 7 * 24 * 3600;

function scopes(raw: readonly string[] | undefined): string[] {
  if (!raw || raw.length === 0) return [...DEFAULT_SCOPES];
  for (const scope of raw) {
    if (!(API_KEY_SCOPES as readonly string[]).includes(scope)) {
      throw TributaryError.invalid(`scope "${scope}" is not one of ${API_KEY_SCOPES.join(', ')}`);
    }
  }
  return [...new Set(raw)];
}

/**
 * API keys of the tenant's users. A secret exists in clear only in the
 * response that creates it; the store keeps its SHA-256.
 */
export class ApiKeyAdmin {
  constructor(private readonly deps: AdminDeps) {}

  async list(ctx: AdminContext, request: Partial<ListApiKeysRequest>): Promise<ListApiKeysResponse__Input> {
    const keys = await this.deps.store.apiKeys.list(ctx.tenant, {
      ownerUserId: request.owner_user_id || undefined,
      includeRevoked: Boolean(request.include_revoked),
    });
    return { api_keys: await this.views(ctx, keys) };
  }

  async create(
    ctx: AdminContext,
    request: Partial<CreateApiKeyRequest>,
  ): Promise<CreateApiKeyResponse__Input> {
    const name = input.text(request.name, 'name', { max: 100, required: true });
    const expiresAt = input.time(request.expires_at, 'expires_at');
    if (expiresAt !== undefined && expiresAt <= this.deps.clock()) {
      throw TributaryError.invalid('expires_at must be in the future');
    }
    const owner = await this.owner(ctx, request.owner_user_id);
    const secret = generateApiKey();
    const key = await this.deps.store.apiKeys.create(ctx.tenant, {
      id: `key_${randomBytes(12).toString('base64url')}`,
      name,
      ownerUserId: owner.id,
      scopes: scopes(request.scopes),
      expiresAt,
      secretSha256: hashApiKey(secret),
    });
    const view = apiKeyView(key, owner.subject);
    recordChange(this.deps, ctx, { action: 'api_key.create', target: key.id, after: view });
    return { api_key: view, secret };
  }

  async rotate(
    ctx: AdminContext,
    request: Partial<RotateApiKeyRequest>,
  ): Promise<RotateApiKeyResponse__Input> {
    const id = input.required(request.id, 'id');
    const grace = request.grace_seconds ?? DEFAULT_GRACE_SECONDS;
    if (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS) {
      throw TributaryError.invalid(`grace_seconds must be between 0 and ${MAX_GRACE_SECONDS} (7 days)`);
    }
    const before = await this.find(ctx, id);
    const secret = generateApiKey();
    const after = await this.deps.store.apiKeys.rotate(ctx.tenant, id, {
      secretSha256: hashApiKey(secret),
      previousSecretExpiresAt: this.deps.clock() + grace * 1_000,
    });
    const [beforeView, afterView] = await this.views(ctx, [before, after]);
    recordChange(this.deps, ctx, {
      action: 'api_key.rotate',
      target: id,
      before: beforeView,
      after: afterView,
    });
    return { api_key: afterView, secret };
  }

  async revoke(ctx: AdminContext, id: string): Promise<ApiKey__Input> {
    const before = await this.find(ctx, input.required(id, 'id'));
    const after = await this.deps.store.apiKeys.revoke(ctx.tenant, id);
    await this.deps.revocations?.add({
      kind: 'api_key',
      tenant: ctx.tenant,
      keyId: id,
      expiresAt: before.expiresAt ?? this.deps.clock() + MAX_REVOCATION_MS,
    });
    const [beforeView, afterView] = await this.views(ctx, [before, after]);
    recordChange(this.deps, ctx, {
      action: 'api_key.revoke',
      target: id,
      before: beforeView,
      after: afterView,
    });
    return afterView as ApiKey__Input;
  }

  /** The named user, or else the caller's own stored user. */
  private async owner(ctx: AdminContext, ownerUserId: string | undefined) {
    if (ownerUserId) {
      const owner = await this.deps.store.users.get(ctx.tenant, ownerUserId);
      if (!owner) throw TributaryError.notFound(`user ${ownerUserId} not found`);
      return owner;
    }
    const self = await this.deps.store.users.findBySubject(ctx.tenant, ctx.principal.subject);
    if (!self) throw TributaryError.invalid('owner_user_id is required: the caller is not a stored user');
    return self;
  }

  private async find(ctx: AdminContext, id: string): Promise<ApiKeyRecord> {
    const key = await this.deps.store.apiKeys.get(ctx.tenant, id);
    if (!key) throw TributaryError.notFound(`API key ${id} not found`);
    return key;
  }

  /** Views with their owners' subjects; an owner deleted since shows an empty subject. */
  private async views(ctx: AdminContext, keys: readonly ApiKeyRecord[]): Promise<ApiKey__Input[]> {
    const subjects = new Map<string, string>();
    for (const owner of new Set(keys.map((key) => key.ownerUserId))) {
      subjects.set(owner, (await this.deps.store.users.get(ctx.tenant, owner))?.subject ?? '');
    }
    return keys.map((key) => apiKeyView(key, subjects.get(key.ownerUserId) ?? ''));
  }
}
