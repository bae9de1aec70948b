import { type RevokeTokensRequest, type RevokeTokensResponse__Input, TributaryError } from '@tributary/core';
import { MAX_REVOCATION_MS } from '../shared-state/index.js';
import type { AdminContext } from './admin-context.js';
import { type AdminDeps, recordChange } from './admin-deps.js';
import * as input from './input.js';
import { iso } from './views.js';

/**
 * Blocks bearer tokens, which the coordinator never issued and cannot
 * delete: one token by its `jti` until it expires, or every token of a
 * subject issued before now. Blocks go on the revocation list every replica
 * reads, so they hold on all of them.
 */
export class TokenAdmin {
  constructor(private readonly deps: AdminDeps) {}

  async revoke(
    ctx: AdminContext,
    request: Partial<RevokeTokensRequest>,
  ): Promise<RevokeTokensResponse__Input> {
    const revocations = this.deps.revocations;
    if (!revocations)
      throw TributaryError.unavailable('token revocation is not available on this coordinator');
    const userId = input.text(request.user_id, 'user_id', { max: 256 });
    const subjectText = input.text(request.subject, 'subject', { max: 256 });
    const jti = input.text(request.jti, 'jti', { max: 256 });
    if ([userId, subjectText, jti].filter(Boolean).length !== 1) {
      throw TributaryError.invalid('set exactly one of user_id, subject and jti');
    }
    const now = this.deps.clock();
    const expiresAt = input.time(request.expires_at, 'expires_at');
    if (!jti && expiresAt !== undefined) throw TributaryError.invalid('expires_at applies to jti only');
    if (jti) {
      if (expiresAt !== undefined && expiresAt <= now) {
        throw TributaryError.invalid('expires_at is in the past: the token no longer works anyway');
      }
      const until = Math.min(expiresAt ?? now + MAX_REVOCATION_MS, now + MAX_REVOCATION_MS);
      await revocations.add({ kind: 'token', tenant: ctx.tenant, jti, expiresAt: until });
      const response = { subject: '', issued_before: '', jti, expires_at: iso(until) };
      recordChange(this.deps, ctx, { action: 'token.revoke', target: jti, after: response });
      return response;
    }
    let subject = subjectText;
    if (userId) {
      const user = await this.deps.store.users.get(ctx.tenant, userId);
      if (!user) throw TributaryError.notFound(`user ${userId} not found`);
      subject = user.subject;
    } else {
      subject = input.subject(subjectText);
    }
    const until = now + MAX_REVOCATION_MS;
    await revocations.add({
      kind: 'tokens_before',
      tenant: ctx.tenant,
      subject,
      issuedBefore: now,
      expiresAt: until,
    });
    const response = { subject, issued_before: iso(now), jti: '', expires_at: iso(until) };
    recordChange(this.deps, ctx, { action: 'token.revoke_before', target: subject, after: response });
    return response;
  }
}
