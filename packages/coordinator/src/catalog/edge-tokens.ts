import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

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

  static async create(): Promise<EdgeTokenSigner> {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const jwk = await exportJWK(publicKey);
    return new EdgeTokenSigner(privateKey, { ...jwk, kid: randomUUID(), alg: 'EdDSA', use: 'sig' });
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
