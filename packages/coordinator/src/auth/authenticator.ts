import { TributaryError } from '@tributary/core';
import type { CoordinatorConfig } from '../config/coordinator-config.js';
import { ApiKeyVerifier } from './api-keys.js';
import { JwtVerifier } from './jwt.js';
import type { Credentials, Principal } from './principal.js';

/**
 * The single authentication step every protocol calls. A request must carry
 * exactly one credential; anything missing, malformed or unverifiable is
 * UNAUTHENTICATED with a message that does not say which check failed.
 */
export class Authenticator {
  private readonly apiKeys: ApiKeyVerifier;
  private readonly jwt: JwtVerifier | undefined;

  constructor(config: CoordinatorConfig) {
    this.apiKeys = new ApiKeyVerifier(config.auth.api_keys, config.tenant);
    this.jwt = config.auth.jwt ? new JwtVerifier(config.auth.jwt, config.tenant) : undefined;
  }

  async authenticate(credentials: Credentials): Promise<Principal> {
    const { authorization, apiKey } = credentials;
    if (authorization && apiKey) {
      throw TributaryError.unauthenticated('send either an Authorization header or an x-api-key, not both');
    }
    if (apiKey) {
      const principal = this.apiKeys.verify(apiKey);
      if (principal) return principal;
      throw TributaryError.unauthenticated('invalid API key');
    }
    if (authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!match?.[1]) throw TributaryError.unauthenticated('Authorization must be "Bearer <token>"');
      const token = match[1];
      // An API key sent as a bearer token is accepted too: many HTTP clients only speak bearer.
      if (token.startsWith('trb_')) {
        const principal = this.apiKeys.verify(token);
        if (principal) return principal;
        throw TributaryError.unauthenticated('invalid API key');
      }
      const principal = this.jwt ? await this.jwt.verify(token) : undefined;
      if (principal) return principal;
      throw TributaryError.unauthenticated('invalid or expired token');
    }
    throw TributaryError.unauthenticated(
      'missing credentials: send Authorization: Bearer <token> or x-api-key',
    );
  }
}
