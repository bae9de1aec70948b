import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type { JwtConfig } from '../config/coordinator-config.js';
import type { Principal } from './principal.js';

function claim(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
}

/** The scalar members of a claim object; nested values and arrays are not attributes. */
function scalarAttributes(value: unknown): Principal['attributes'] {
  const attributes: Principal['attributes'] = {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) return attributes;
  for (const [key, member] of Object.entries(value)) {
    if (typeof member === 'string' || typeof member === 'boolean') attributes[key] = member;
    else if (typeof member === 'number' && Number.isFinite(member)) attributes[key] = member;
  }
  return attributes;
}

export interface VerifiedToken {
  principal: Principal;
  jti?: string;
  /** `iat` in milliseconds. */
  issuedAt?: number;
}

/**
 * Verifies bearer tokens against the configured JWKS. Issuer, audience,
 * expiry and not-before are checked with a small clock tolerance; only
 * asymmetric algorithms are accepted, which rules out `alg: none` and
 * HMAC-with-the-public-key confusion.
 */
export class JwtVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(
    private readonly config: JwtConfig,
    private readonly defaultTenant: string,
  ) {
    if (config.jwks_file) {
      const jwks = JSON.parse(readFileSync(config.jwks_file, 'utf8')) as JSONWebKeySet;
      this.keys = createLocalJWKSet(jwks);
    } else {
      // jose caches the set, refetches on an unknown `kid` and rate-limits
      // refetches with its cooldown, which is the rotation behaviour wanted.
      this.keys = createRemoteJWKSet(new URL(config.jwks_url as string), {
        cooldownDuration: config.jwks_cooldown_ms,
        cacheMaxAge: config.jwks_cache_max_age_ms,
        timeoutDuration: 5_000,
      });
    }
  }

  async verify(token: string): Promise<Principal | undefined> {
    return (await this.verifyToken(token))?.principal;
  }

  /** The principal with the token's id (`jti`) and issue time (`iat`, in ms), which revocations name. */
  async verifyToken(token: string): Promise<VerifiedToken | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: this.config.algorithms,
        clockTolerance: this.config.clock_tolerance_seconds,
        requiredClaims: ['exp'],
      });
      const subject = claim(payload, this.config.claims.subject);
      if (typeof subject !== 'string' || subject === '') return undefined;
      const tenant = claim(payload, this.config.claims.tenant);
      const principal: Principal = {
        tenant: typeof tenant === 'string' && tenant ? tenant : this.defaultTenant,
        subject,
        roles: stringList(claim(payload, this.config.claims.roles)),
        groups: stringList(claim(payload, this.config.claims.groups)),
        attributes: scalarAttributes(claim(payload, this.config.claims.attributes)),
        method: 'jwt',
      };
      return {
        principal,
        jti: typeof payload.jti === 'string' && payload.jti !== '' ? payload.jti : undefined,
        issuedAt: typeof payload.iat === 'number' ? payload.iat * 1000 : undefined,
      };
    } catch {
      return undefined;
    }
  }
}
