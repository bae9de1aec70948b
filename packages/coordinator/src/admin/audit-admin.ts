import {
  type ListAuditRecordsRequest,
  type ListAuditRecordsResponse__Input,
  TributaryError,
} from '@tributary/core';
import type { AdminContext } from './admin-context.js';
import type { AdminDeps } from './admin-deps.js';
import * as input from './input.js';
import { auditRecordView } from './views.js';

const KINDS = ['query', 'admin'] as const;

/** Reading the tenant's audit log, newest first. */
export class AuditAdmin {
  constructor(private readonly deps: AdminDeps) {}

  async list(
    ctx: AdminContext,
    request: Partial<ListAuditRecordsRequest>,
  ): Promise<ListAuditRecordsResponse__Input> {
    const kind = request.kind || undefined;
    if (kind !== undefined && !(KINDS as readonly string[]).includes(kind)) {
      throw TributaryError.invalid(`kind must be one of ${KINDS.join(', ')}`);
    }
    const from = input.time(request.from, 'from');
    const to = input.time(request.to, 'to');
    if (from !== undefined && to !== undefined && from >= to)
      throw TributaryError.invalid('from must be before to');
    const page = await this.deps.audit.list(ctx.tenant, {
      limit: input.pageSize(request.page_size),
      cursor: request.page_token || undefined,
      from,
      to,
      subject: input.text(request.subject, 'subject', { max: 256 }) || undefined,
      kind: kind as (typeof KINDS)[number] | undefined,
    });
    return { records: page.items.map(auditRecordView), next_page_token: page.nextCursor ?? '' };
  }
}
