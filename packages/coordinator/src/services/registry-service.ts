import { createHash, timingSafeEqual } from 'node:crypto';
import { type RegisterEdgeRequest, type RegisterEdgeResponse__Input, TributaryError } from '@tributary/core';
import {
  COORDINATOR_ISSUER,
  type EdgeRegistry,
  type EdgeTokenSigner,
  edgeAudience,
} from '../catalog/index.js';
import type { CoordinatorConfig } from '../config/coordinator-config.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

const ADDRESS = /^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/;

/** Edge registration and heartbeats, guarded by the shared join token. */
export class RegistryService {
  private readonly expectedToken: Buffer;

  constructor(
    private readonly registry: EdgeRegistry,
    private readonly signer: EdgeTokenSigner,
    private readonly config: CoordinatorConfig['edges'],
  ) {
    this.expectedToken = digest(config.join_token);
  }

  /** Compares digests so the comparison is constant-time whatever the presented length. */
  private checkToken(token: string): void {
    if (!timingSafeEqual(digest(token ?? ''), this.expectedToken)) {
      throw TributaryError.unauthenticated('invalid join token');
    }
  }

  register(request: RegisterEdgeRequest): RegisterEdgeResponse__Input {
    this.checkToken(request.join_token);
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(request.edge_name))
      throw TributaryError.invalid('edge_name is not valid');
    if (!ADDRESS.test(request.address)) throw TributaryError.invalid('address must be host:port');
    if (request.sources.length === 0) throw TributaryError.invalid('an edge must serve at least one source');
    const edge = this.registry.register({
      name: request.edge_name,
      address: request.address,
      version: request.version,
      sources: request.sources,
    });
    return {
      edge_id: edge.id,
      heartbeat_interval_ms: this.config.heartbeat_interval_ms,
      coordinator_jwks: this.signer.jwks(),
      token_audience: edgeAudience(edge.name),
      coordinator_issuer: COORDINATOR_ISSUER,
    };
  }

  heartbeat(joinToken: string, edgeId: string, activeQueries: number): Promise<boolean> {
    this.checkToken(joinToken);
    return this.registry.sharedHeartbeat(edgeId, activeQueries);
  }

  deregister(joinToken: string, edgeId: string): void {
    this.checkToken(joinToken);
    this.registry.deregister(edgeId);
  }
}
