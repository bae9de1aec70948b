import { randomBytes, randomUUID } from 'node:crypto';

/** Request ids are UUIDs, so a caller-supplied one can be validated cheaply. */
export function newRequestId(): string {
  return randomUUID();
}

export function newQueryId(): string {
  return `q_${randomBytes(12).toString('base64url')}`;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a caller's request id only when it is short and plain, so it can be logged safely. */
export function acceptRequestId(candidate: unknown): string {
  return typeof candidate === 'string' && REQUEST_ID_PATTERN.test(candidate) ? candidate : newRequestId();
}
