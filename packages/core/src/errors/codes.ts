import { status } from '@grpc/grpc-js';

/**
 * The one error vocabulary of Tributary. Every protocol maps these codes the
 * same way: HTTP statuses for the JSON API, gRPC status codes for gRPC and
 * gRPC-Web, tool errors for MCP.
 */
export const ERROR_CODES = {
  INVALID_ARGUMENT: { http: 400, grpc: status.INVALID_ARGUMENT },
  UNAUTHENTICATED: { http: 401, grpc: status.UNAUTHENTICATED },
  UNAUTHORIZED: { http: 403, grpc: status.PERMISSION_DENIED },
  QUERY_UNAUTHORIZED: { http: 403, grpc: status.PERMISSION_DENIED },
  NOT_FOUND: { http: 404, grpc: status.NOT_FOUND },
  CONFLICT: { http: 409, grpc: status.ALREADY_EXISTS },
  PAYLOAD_TOO_LARGE: { http: 413, grpc: status.RESOURCE_EXHAUSTED },
  RATE_LIMITED: { http: 429, grpc: status.RESOURCE_EXHAUSTED },
  CANCELLED: { http: 499, grpc: status.CANCELLED },
  INTERNAL: { http: 500, grpc: status.INTERNAL },
  UNAVAILABLE: { http: 503, grpc: status.UNAVAILABLE },
  DEADLINE_EXCEEDED: { http: 504, grpc: status.DEADLINE_EXCEEDED },
} as const satisfies Record<string, { http: number; grpc: status }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** The code a bare gRPC status maps back to when no Tributary code travelled with it. */
export function codeFromGrpcStatus(code: status): ErrorCode {
  switch (code) {
    case status.INVALID_ARGUMENT:
    case status.OUT_OF_RANGE:
    case status.FAILED_PRECONDITION:
      return 'INVALID_ARGUMENT';
    case status.UNAUTHENTICATED:
      return 'UNAUTHENTICATED';
    case status.PERMISSION_DENIED:
      return 'UNAUTHORIZED';
    case status.NOT_FOUND:
      return 'NOT_FOUND';
    case status.ALREADY_EXISTS:
    case status.ABORTED:
      return 'CONFLICT';
    case status.RESOURCE_EXHAUSTED:
      return 'RATE_LIMITED';
    case status.CANCELLED:
      return 'CANCELLED';
    case status.UNAVAILABLE:
      return 'UNAVAILABLE';
    case status.DEADLINE_EXCEEDED:
      return 'DEADLINE_EXCEEDED';
    default:
      return 'INTERNAL';
  }
}
