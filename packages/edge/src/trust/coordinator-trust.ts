import type { Metadata } from '@grpc/grpc-js';
import { TributaryError } from '@tributary/core';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';

interface TrustedCoordinator {
  keys: ReturnType<typeof createLocalJWKSet>;
  issuer: string;
  audience: string;
}

/**
 * Decides who may call this edge: only the coordinator it registered with.
 * Every call carries a short-lived token that coordinator signed; the keys,
 * issuer and audience arrive in the registration response. Until the edge is
 * registered, nobody is trusted.
 */
export class CoordinatorTrust {
  private trusted: TrustedCoordinator | undefined;
  /**
   * Tokens already verified, with their expiry. The coordinator reuses a
   * token for a minute, so a signature check per call would be wasted work
   * on the latency path; a hit requires the exact token string.
   */
  private readonly verified = new Map<string, number>();

  trust(jwksJson: string, issuer: string, audience: string): void {
    const jwks = JSON.parse(jwksJson) as JSONWebKeySet;
    this.trusted = { keys: createLocalJWKSet(jwks), issuer, audience };
    this.verified.clear();
  }

  get ready(): boolean {
    return this.trusted !== undefined;
  }

  async verify(metadata: Metadata): Promise<void> {
    const trusted = this.trusted;
    if (!trusted) throw new TributaryError('UNAVAILABLE', 'edge is not registered with a coordinator yet');
    const header = metadata.get('authorization')[0];
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (!token) throw TributaryError.unauthenticated('edge calls require a coordinator token');
    const expiresAt = this.verified.get(token);
    if (expiresAt !== undefined && expiresAt > Date.now()) return;
    try {
      const { payload } = await jwtVerify(token, trusted.keys, {
        issuer: trusted.issuer,
        audience: trusted.audience,
        algorithms: ['EdDSA'],
        maxTokenAge: '5m',
        clockTolerance: 5,
      });
      if (this.verified.size > 1_000) this.verified.clear();
      // Expire cached entries a little early rather than honouring clock tolerance.
      this.verified.set(token, Number(payload.exp) * 1000 - 5_000);
    } catch {
      throw TributaryError.unauthenticated('coordinator token rejected');
    }
  }
}
