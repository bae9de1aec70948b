import { type Logger, TributaryError } from '@tributary/core';
import type { CoordinatorConfig } from '../config/coordinator-config.js';
import type { AuthFailureReason } from '../metrics/index.js';
import type { RevocationChecks } from '../shared-state/index.js';
import type { Store } from '../store/index.js';
import { agentOfScopes } from './agent-keys.js';
import { ApiKeyVerifier } from './api-keys.js';
import { cachedIdentityReads } from './fresh-reads.js';
import { IdentityResolver } from './identities.js';
import { JwtVerifier } from './jwt.js';
import type { AgentIdentity, Credentials, Principal } from './principal.js';
import { StoredApiKeyVerifier } from './stored-api-keys.js';

/** The agent an agent key acts as, if it still exists and is still owned by the key's owner. */
export type AgentResolver = (
  tenant: string,
  agentId: string,
  ownerSubject: string,
) => Promise<AgentIdentity | undefined>;

export interface AuthenticatorOptions {
  /** Resolves keys issued for agents; without it such keys are refused. */
  agents?: AgentResolver;
  /** Stored users and API keys; without it only the configuration's credentials are known. */
  store?: Pick<Store, 'users' | 'apiKeys'> & Partial<Pick<Store, 'generation'>>;
  logger?: Logger;
  clock?: () => number;
  /**
   * Credentials revoked on any replica, consulted after every successful
   * verification (a local lookup). Without it only this store's records count.
   */
  revocations?: RevocationChecks;
  /** Told why each refused request failed (a fixed set of reasons, for metrics). */
  onFailure?: (reason: AuthFailureReason) => void;
}

/** Refuses with UNAUTHENTICATED and the reason it was refused, which the caller never sees. */
class AuthFailure extends TributaryError {
  constructor(
    readonly reason: AuthFailureReason,
    message: string,
  ) {
    super('UNAUTHENTICATED', message);
  }
}

/**
 * The single authentication step every protocol calls. A request must carry
 * exactly one credential; anything missing, malformed or unverifiable is
 * UNAUTHENTICATED with a message that does not say which check failed.
 *
 * Keys from the configuration are checked first (in memory), then keys
 * issued through AdminService (in the store). Token and configured-key
 * principals are joined with the tenant's stored user of the same subject.
 */
export class Authenticator {
  private readonly configuredKeys: ApiKeyVerifier;
  private readonly storedKeys: StoredApiKeyVerifier | undefined;
  private readonly identities: IdentityResolver | undefined;
  private readonly jwt: JwtVerifier | undefined;

  constructor(
    config: CoordinatorConfig,
    private readonly options: AuthenticatorOptions = {},
  ) {
    this.configuredKeys = new ApiKeyVerifier(config.auth.api_keys, config.tenant);
    this.jwt = config.auth.jwt ? new JwtVerifier(config.auth.jwt, config.tenant) : undefined;
    const store = options.store;
    if (store) {
      // Stores that report changes get their identity reads cached between changes.
      const reads =
        store.generation === undefined
          ? { users: store.users, keys: store.apiKeys }
          : cachedIdentityReads(store.users, store.apiKeys, () => store.generation ?? 0);
      this.storedKeys = new StoredApiKeyVerifier(reads.keys, options);
      this.identities = new IdentityResolver(reads.users);
    }
  }

  async authenticate(credentials: Credentials): Promise<Principal> {
    try {
      return await this.verify(credentials);
    } catch (error) {
      if (error instanceof TributaryError && error.code === 'UNAUTHENTICATED') {
        this.options.onFailure?.(error instanceof AuthFailure ? error.reason : 'identity_disabled');
      }
      throw error;
    }
  }

  private async verify(credentials: Credentials): Promise<Principal> {
    const { authorization, apiKey } = credentials;
    if (authorization && apiKey) {
      throw new AuthFailure(
        'ambiguous_credentials',
        'send either an Authorization header or an x-api-key, not both',
      );
    }
    if (apiKey) return this.verifyApiKey(apiKey);
    if (authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!match?.[1]) {
        throw new AuthFailure('malformed_authorization', 'Authorization must be "Bearer <token>"');
      }
      const token = match[1];
      // An API key sent as a bearer token is accepted too: many HTTP clients only speak bearer.
      if (token.startsWith('trb_')) return this.verifyApiKey(token);
      const verified = this.jwt ? await this.jwt.verifyToken(token) : undefined;
      if (!verified) throw new AuthFailure('invalid_token', 'invalid or expired token');
      const { principal, jti, issuedAt } = verified;
      if (this.options.revocations?.isTokenRevoked(principal.tenant, principal.subject, jti, issuedAt)) {
        throw new AuthFailure('revoked', 'invalid or expired token');
      }
      return this.withStoredIdentity(this.notRevoked(principal));
    }
    throw new AuthFailure(
      'missing_credentials',
      'missing credentials: send Authorization: Bearer <token> or x-api-key',
    );
  }

  private async verifyApiKey(key: string): Promise<Principal> {
    const configured = this.configuredKeys.verify(key);
    if (configured) return this.withStoredIdentity(this.notRevoked(configured));
    const stored = await this.storedKeys?.verify(key);
    if (stored) return this.asAgent(this.notRevoked(stored));
    throw new AuthFailure('invalid_api_key', 'invalid API key');
  }

  /** A key issued for an agent authenticates as the agent: its owner, narrowed by the agent's scope. */
  private async asAgent(principal: Principal): Promise<Principal> {
    const agentId = agentOfScopes(principal.scopes);
    if (agentId === undefined) return principal;
    const agent = await this.options.agents?.(principal.tenant, agentId, principal.subject);
    if (!agent) throw new AuthFailure('invalid_api_key', 'invalid API key');
    return { ...principal, agent };
  }

  /** Refuses a verified principal whose key or user was revoked on any replica. */
  private notRevoked(principal: Principal): Principal {
    const list = this.options.revocations;
    if (!list) return principal;
    if (principal.keyId !== undefined && list.isKeyRevoked(principal.tenant, principal.keyId)) {
      throw new AuthFailure('revoked', 'invalid API key');
    }
    if (list.isUserRevoked(principal.tenant, principal.subject)) {
      throw new AuthFailure('identity_disabled', 'this identity is disabled or deleted');
    }
    return principal;
  }

  /** A stored user that was deleted or disabled refuses its principal (UNAUTHENTICATED, counted as identity_disabled). */
  private withStoredIdentity(principal: Principal): Promise<Principal> | Principal {
    return this.identities ? this.identities.resolve(principal) : principal;
  }
}
