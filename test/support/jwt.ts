// Tokens for the authentication tests: properly signed ones from the
// cluster's test identity provider, and forgeries.
import { createHmac, createPublicKey, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import type { Cluster } from './cluster.js';

const now = () => Math.floor(Date.now() / 1000);

export interface SignOptions {
  /** Sign with this key instead of the identity provider's. */
  privateKey?: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  kid?: string;
}

/**
 * A token from the cluster's identity provider: right issuer, audience and
 * key, valid for five minutes, unless `claims` override any of it (a claim
 * set to undefined is left out).
 */
export async function signToken(cluster: Cluster, claims: JWTPayload = {}, options: SignOptions = {}) {
  const payload: JWTPayload = {
    iss: cluster.jwt.issuer,
    aud: cluster.jwt.audience,
    sub: 'alice',
    iat: now(),
    exp: now() + 300,
    roles: ['analyst'],
    ...claims,
  };
  for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? cluster.jwt.kid, typ: 'JWT' })
    .sign(options.privateKey ?? cluster.jwt.privateKey);
}

/** A key pair the coordinator has never seen. */
export async function strangerKey() {
  return (await generateKeyPair('RS256')).privateKey;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function standardClaims(cluster: Cluster): JWTPayload {
  return { iss: cluster.jwt.issuer, aud: cluster.jwt.audience, sub: 'mallory', iat: now(), exp: now() + 300 };
}

/** `alg: none` with an empty signature. */
export function unsignedToken(cluster: Cluster): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(standardClaims(cluster))}.`;
}

/** The identity provider's public key as the coordinator holds it (the JWKS file) and as PEM. */
export function publicKeyOf(cluster: Cluster): { jwk: JsonWebKey; pem: string } {
  const jwks = JSON.parse(readFileSync(join(cluster.dir, 'jwks.json'), 'utf8')) as { keys: JsonWebKey[] };
  const jwk = jwks.keys[0] as JsonWebKey;
  const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  return { jwk, pem };
}

/** The HS/RS confusion: an HS256 token whose HMAC secret is the RSA public key's bytes. */
export function hmacWithPublicKey(cluster: Cluster, secret: 'pem' | 'jwk'): string {
  const { jwk, pem } = publicKeyOf(cluster);
  const header = b64url({ alg: 'HS256', typ: 'JWT', kid: cluster.jwt.kid });
  const body = b64url(standardClaims(cluster));
  const key = secret === 'pem' ? pem : JSON.stringify(jwk);
  const signature = createHmac('sha256', key).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}

export const epoch = now;
