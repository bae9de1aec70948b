import { type SqlValue, toProtoValue } from '@tributary/core/web';

/**
 * What every transport of the SDK sends the same way: credentials, default
 * deadlines and request messages. Browser-safe (no Node built-ins).
 */
export interface Credentials {
  apiKey?: string;
  /** A JWT; sent as `authorization: Bearer`. */
  token?: string;
}

/** Deadline of a unary call when the caller sets none. */
export const DEFAULT_UNARY_TIMEOUT_MS = 30_000;

/** The metadata (gRPC) or headers (gRPC-Web) that carry the caller's credentials. */
export function credentialHeaders(credentials: Credentials): Record<string, string> {
  const headers: Record<string, string> = {};
  if (credentials.apiKey) headers['x-api-key'] = credentials.apiKey;
  if (credentials.token) headers.authorization = `Bearer ${credentials.token}`;
  return headers;
}

/** A `grpc-timeout` header value for a deadline in milliseconds. */
export function grpcTimeout(ms: number): string {
  return `${Math.max(1, Math.ceil(ms))}m`;
}

export interface ListTablesOptions {
  source?: string;
  schema?: string;
  filter?: string;
  pageSize?: number;
  pageToken?: string;
}

/** Request messages, in the contract's field names. */
export const requests = {
  executeQuery: (sql: string, options: { params?: SqlValue[]; limit?: number }) => ({
    sql,
    params: (options.params ?? []).map(toProtoValue),
    limit: options.limit ?? 0,
  }),
  validateQuery: (sql: string, params: SqlValue[] = []) => ({ sql, params: params.map(toProtoValue) }),
  listTables: (options: ListTablesOptions = {}) => ({
    source: options.source ?? '',
    schema: options.schema ?? '',
    filter: options.filter ?? '',
    page_size: options.pageSize ?? 0,
    page_token: options.pageToken ?? '',
  }),
  getRecords: (table: string, options: { columns?: string[]; limit?: number } = {}) => ({
    table,
    columns: options.columns ?? [],
    limit: options.limit ?? 0,
  }),
};

/**
 * A request id for one call (the coordinator accepts `[A-Za-z0-9._:-]`),
 * made with getRandomValues, which unlike randomUUID exists on plain-http
 * pages too.
 */
export function newRequestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
