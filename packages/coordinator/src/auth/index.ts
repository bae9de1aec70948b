export { agentOfScopes, agentScopeKey } from './agent-keys.js';
export {
  API_KEY_PREFIX,
  ApiKeyVerifier,
  digestsEqual,
  generateApiKey,
  hashApiKey,
  isApiKeyShaped,
} from './api-keys.js';
export { type AgentResolver, Authenticator, type AuthenticatorOptions } from './authenticator.js';
export { bootstrapConfiguredIdentities } from './bootstrap.js';
export { IdentityResolver } from './identities.js';
export { JwtVerifier, type VerifiedToken } from './jwt.js';
export type { AgentIdentity, Credentials, Principal } from './principal.js';
export { API_KEY_SCOPES, type ApiKeyScope, isTenantAdmin, requireScope } from './scopes.js';
export { LAST_USED_INTERVAL_MS, StoredApiKeyVerifier } from './stored-api-keys.js';
