export { type AdminAuditEvent, AuditLog, type AuditLogOptions, type QueryAuditEvent } from './audit-log.js';
export { REDACTED, withoutSecrets } from './redact.js';
