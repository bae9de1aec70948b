// API keys that authenticate as an agent are ordinary stored keys of the
// agent's owner carrying one extra scope, `agent:<id>`. AdminService lists
// and revokes them like any key; the scope cannot be requested there.

const PREFIX = 'agent:';

export function agentScopeKey(agentId: string): string {
  return `${PREFIX}${agentId}`;
}

/** The agent a key's scopes name, if any. */
export function agentOfScopes(scopes: readonly string[] | undefined): string | undefined {
  const scope = scopes?.find((s) => s.startsWith(PREFIX));
  return scope?.slice(PREFIX.length);
}
