import type { AuditLog } from '../audit/index.js';
import type { RevocationList } from '../shared-state/index.js';
import type { PolicyVersionRecord, Store } from '../store/index.js';
import type { AdminContext } from './admin-context.js';
import type { SourceAdmin } from './source-admin.js';

/**
 * Checks a policy document before it is stored; throws to refuse it. The
 * policy engine supplies the real check (its schema); the default only
 * requires a JSON object.
 */
export type PolicyDocumentValidator = (document: unknown) => void | Promise<void>;

export interface AdminDeps {
  store: Store;
  audit: Pick<AuditLog, 'recordAdmin' | 'list'>;
  validatePolicyDocument: PolicyDocumentValidator;
  /** Told after a new policy version is stored, e.g. to reload the policy engine. */
  onPolicyPublished?: (tenant: string, version: PolicyVersionRecord) => void;
  clock: () => number;
  /**
   * Where revocations are announced to every replica: each replica's store
   * holds its own records, so a change written here alone reaches no other.
   */
  revocations?: Pick<RevocationList, 'add' | 'restoreUser'>;
  /** Schema refresh and source health; absent where no edges are served (unit tests). */
  sources?: SourceAdmin;
}

/** Writes the audit record of one admin change: who, what, and the state before and after. */
export function recordChange(
  deps: AdminDeps,
  ctx: AdminContext,
  change: { action: string; target: string; before?: unknown; after?: unknown },
): void {
  deps.audit.recordAdmin({
    requestId: ctx.requestId,
    traceId: ctx.trace?.traceId,
    tenant: ctx.tenant,
    subject: ctx.principal.subject,
    keyId: ctx.principal.keyId,
    ...change,
  });
}
