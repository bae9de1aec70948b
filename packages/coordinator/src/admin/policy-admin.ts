import {
  type ListPolicyVersionsRequest,
  type ListPolicyVersionsResponse__Input,
  type PolicyDocument__Input,
  type PutPoliciesRequest,
  TributaryError,
} from '@tributary/core';
import type { PolicyVersionRecord } from '../store/index.js';
import type { AdminContext } from './admin-context.js';
import { type AdminDeps, type PolicyDocumentValidator, recordChange } from './admin-deps.js';
import * as input from './input.js';
import { policyVersionView, policyView } from './views.js';

const MAX_DOCUMENT_BYTES = 1024 * 1024;

/** The check used until the policy engine supplies its own: the document is a JSON object. */
export const requireJsonObject: PolicyDocumentValidator = (document) => {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw TributaryError.invalid('the policy document must be a JSON object');
  }
};

async function parseDocument(text: string, validate: PolicyDocumentValidator): Promise<string> {
  if (Buffer.byteLength(text, 'utf8') > MAX_DOCUMENT_BYTES) {
    throw TributaryError.invalid(`the policy document is larger than ${MAX_DOCUMENT_BYTES} bytes`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw TributaryError.invalid(`the policy document is not JSON: ${(error as Error).message}`);
  }
  try {
    await validate(document);
  } catch (error) {
    if (error instanceof TributaryError) throw error;
    throw TributaryError.invalid(`invalid policy document: ${(error as Error).message}`);
  }
  // Stored re-serialized, so versions compare and diff without formatting noise.
  return JSON.stringify(document);
}

/** As the audit log shows a version: the document as JSON, not as text. */
function auditView(version: PolicyVersionRecord | undefined) {
  return version
    ? { version: version.version, document: JSON.parse(version.document) as unknown }
    : undefined;
}

/**
 * The tenant's policy document, versioned. Publishing is optimistic: the
 * caller names the version it edited, and a publish from a stale version is
 * a CONFLICT instead of silently overwriting someone else's change.
 */
export class PolicyAdmin {
  constructor(private readonly deps: AdminDeps) {}

  async current(ctx: AdminContext): Promise<PolicyDocument__Input> {
    return policyView(await this.deps.store.policies.current(ctx.tenant));
  }

  async publish(ctx: AdminContext, request: Partial<PutPoliciesRequest>): Promise<PolicyDocument__Input> {
    const document = await parseDocument(
      input.text(request.document_json, 'document_json', { max: MAX_DOCUMENT_BYTES, required: true }),
      this.deps.validatePolicyDocument,
    );
    const expectedVersion = Number(request.expected_version ?? 0);
    if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
      throw TributaryError.invalid('expected_version must be a non-negative integer');
    }
    const before = await this.deps.store.policies.current(ctx.tenant);
    const published = await this.deps.store.policies.publish(ctx.tenant, {
      document,
      author: ctx.principal.subject,
      comment: input.text(request.comment, 'comment', { max: 500 }),
      expectedVersion,
    });
    recordChange(this.deps, ctx, {
      action: 'policy.publish',
      target: `version ${published.version}`,
      before: auditView(before),
      after: auditView(published),
    });
    this.deps.onPolicyPublished?.(ctx.tenant, published);
    return policyView(published);
  }

  async versions(
    ctx: AdminContext,
    request: Partial<ListPolicyVersionsRequest>,
  ): Promise<ListPolicyVersionsResponse__Input> {
    const page = await this.deps.store.policies.listVersions(ctx.tenant, {
      limit: input.pageSize(request.page_size),
      cursor: request.page_token || undefined,
    });
    return { versions: page.items.map(policyVersionView), next_page_token: page.nextCursor ?? '' };
  }

  async version(ctx: AdminContext, version: number): Promise<PolicyDocument__Input> {
    if (!Number.isSafeInteger(version) || version < 1) {
      throw TributaryError.invalid('version must be a positive integer');
    }
    const found = await this.deps.store.policies.get(ctx.tenant, version);
    if (!found) throw TributaryError.notFound(`policy version ${version} not found`);
    return policyView(found);
  }
}
