/** Who is calling, as every later step (policy, audit, limits) sees it. */
export interface Principal {
  tenant: string;
  subject: string;
  roles: string[];
  /** Groups the principal belongs to: a token's groups claim and the stored user's groups. */
  groups: string[];
  attributes: Record<string, string | number | boolean>;
  method: 'jwt' | 'api_key';
  /** The API key id, when authenticated by key. */
  keyId?: string;
  /**
   * What the credential may be used for (`query`, `catalog`, `admin`), for
   * API keys issued through AdminService. Absent means the credential is not
   * narrowed: tokens and keys from the configuration file.
   */
  scopes?: string[];
  /**
   * Set when the caller is an agent: `subject`, roles, groups and attributes
   * are its owner's, and every decision is the owner's narrowed by `scope`.
   */
  agent?: AgentIdentity;
}

/** The agent a principal acts as. */
export interface AgentIdentity {
  id: string;
  /** The run the request belongs to, when the agent is running. */
  runId?: string;
  /** Allow-list of tables and columns; empty: nothing. */
  scope: { tables: readonly { table: string; columns: readonly string[] }[] };
  rateLimitTier: string;
}

/** Credentials as they arrive on any protocol, before they are checked. */
export interface Credentials {
  authorization?: string;
  apiKey?: string;
}
