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

  trust(jwksJson: string, issuer: string, audience: string): void {
    const jwks = JSON.parse(jwksJson) as JSONWebKeySet;
    this.trusted = { keys: createLocalJWKSet(jwks), issuer, audience };
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
    try {
      await jwtVerify(token, trusted.keys, {
        issuer: trusted.issuer,
        audience: trusted.audience,
        algorithms: ['EdDSA'],
        maxTokenAge: '5m',
        clockTolerance: 5,
      });
    } catch {
      throw TributaryError.unauthenticated('coordinator token rejected');
    }
  }
}
