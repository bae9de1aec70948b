export { API_KEY_PREFIX, ApiKeyVerifier, generateApiKey, hashApiKey } from './api-keys.js';
export { Authenticator } from './authenticator.js';
export { JwtVerifier } from './jwt.js';
export type { Credentials, Principal } from './principal.js';
