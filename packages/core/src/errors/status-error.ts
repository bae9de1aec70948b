import { codeFromGrpcStatus, isErrorCode } from './codes.js';
import { TributaryError } from './tributary-error.js';

/** Trailer keys that carry the error model over gRPC alongside the status code. */
export const ERROR_CODE_KEY = 'tributary-error-code';
export const REQUEST_ID_KEY = 'x-request-id';
export const ERROR_DETAILS_KEY = 'tributary-error-details-bin';
/** When a rate-limited caller may come back, in seconds, as HTTP's `Retry-After`. */
export const RETRY_AFTER_KEY = 'retry-after';

/**
 * Reads one trailer: a string, or raw bytes for `-bin` keys. gRPC-Web
 * delivers `-bin` values as base64 text, native gRPC as bytes.
 */
export type TrailerReader = (key: string) => string | Uint8Array | undefined;

function base64Bytes(text: string): Uint8Array {
  const binary = atob(text.replace(/\s+/g, ''));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function parseDetails(raw: string | Uint8Array | undefined): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  try {
    const bytes = typeof raw === 'string' ? base64Bytes(raw) : raw;
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The TributaryError a gRPC status and its trailers describe, whichever
 * protocol (gRPC or gRPC-Web) carried them: the declared code when the
 * server sent one, else the code the bare status maps to; details and the
 * request id (as `details.request_id`).
 */
export function errorFromStatus(
  status: number,
  message: string,
  trailer: TrailerReader,
  cause?: unknown,
): TributaryError {
  const declared = trailer(ERROR_CODE_KEY);
  const code = isErrorCode(declared) ? declared : codeFromGrpcStatus(status);
  let details = parseDetails(trailer(ERROR_DETAILS_KEY));
  const requestId = trailer(REQUEST_ID_KEY);
  if (typeof requestId === 'string' && requestId) details = { ...details, request_id: requestId };
  return new TributaryError(code, message || code, details, { cause });
}
