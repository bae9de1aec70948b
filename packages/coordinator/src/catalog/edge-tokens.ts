import { randomUUID } from 'node:crypto';
import type { Logger } from '@tributary/core';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import type { SharedSettings } from '../shared-state/index.js';

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** Where replicas keep the one key they all sign edge calls with. */
const SHARED_KEY_NAME = 'edge-signing-key';

export const COORDINATOR_ISSUER = 'tributary-coordinator';

export function edgeAudience(edgeName: string): string {
  return `tributary-edge:${edgeName}`;
}

/**
 * The key pair this coordinator signs its calls to edges with. Edges learn
 * the public half when they register and refuse any call not signed by it;
 * each token names one edge as audience and lives two minutes.
 */
export class EdgeTokenSigner {
  private readonly cache = new Map<string, { token: string; renewAt: number }>();

  private constructor(
    private readonly privateKey: SigningKey,
    private readonly publicJwk: JWK,
  ) {}

  /**
   * A new key, or — with shared settings — the key every replica uses, so
   * an edge that registered with one replica accepts calls from all of
   * them. The first replica to start stores its key; the others load it.
   * If the shared settings cannot be reached, this replica signs with a key
   * of its own (edges registered with it trust that key).
   */
  static async create(shared?: SharedSettings, logger?: Logger): Promise<EdgeTokenSigner> {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const own = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'EdDSA', use: 'sig' };
    let chosen: JWK = own;
    if (shared) {
      try {
        chosen = JSON.parse(await shared.getOrSet(SHARED_KEY_NAME, JSON.stringify(own))) as JWK;
      } catch (error) {
        logger?.warn(
          { err: (error as Error).message },
          'shared state unreachable: signing edge calls with a key of this coordinator only',
        );
      }
    }
    const key = (await importJWK(chosen, 'EdDSA')) as SigningKey;
    const { d: _private, ...publicJwk } = chosen;
    const signer = new EdgeTokenSigner(key, publicJwk);
    signer.stored = JSON.stringify(chosen);
    return signer;
  }

  private stored = '';

  /**
   * Stores this replica's key again if the shared settings lost it (Redis
   * restarted empty), so replicas starting later sign with the key the
   * edges already trust.
   */
  async share(shared: SharedSettings): Promise<void> {
    if (this.stored) await shared.getOrSet(SHARED_KEY_NAME, this.stored);
  }

  jwks(): string {
    return JSON.stringify({ keys: [this.publicJwk] });
  }

  async tokenFor(edgeName: string): Promise<string> {
    const now = Date.now();
    const cached = this.cache.get(edgeName);
    if (cached && cached.renewAt > now) return cached.token;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: this.publicJwk.kid as string })
      .setIssuer(COORDINATOR_ISSUER)
      .setAudience(edgeAudience(edgeName))
      .setIssuedAt()
      .setExpirationTime('120s')
      .sign(this.privateKey);
    this.cache.set(edgeName, { token, renewAt: now + 60_000 });
    return token;
  }
}
