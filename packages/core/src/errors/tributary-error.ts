import { ERROR_CODES, type ErrorCode } from './codes.js';

export interface ErrorDetails {
  [key: string]: unknown;
}

/**
 * An expected failure with a code from the error model. Anything thrown that
 * is not a TributaryError is a bug and surfaces as INTERNAL, with its message
 * kept out of responses and written to the logs only.
 */
export class TributaryError extends Error {
  override readonly name = 'TributaryError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  get grpcStatus(): number {
    return ERROR_CODES[this.code].grpc;
  }

  static invalid(message: string, details?: ErrorDetails): TributaryError {
    return new TributaryError('INVALID_ARGUMENT', message, details);
  }

  static notFound(message: string, details?: ErrorDetails): TributaryError {
    return new TributaryError('NOT_FOUND', message, details);
  }

  static unauthenticated(message: string): TributaryError {
    return new TributaryError('UNAUTHENTICATED', message);
  }

  static unavailable(message: string, details?: ErrorDetails): TributaryError {
    return new TributaryError('UNAVAILABLE', message, details);
  }
}

/** Normalises anything thrown into a TributaryError; unknown errors become INTERNAL. */
export function toTributaryError(error: unknown): TributaryError {
  if (error instanceof TributaryError) return error;
  return new TributaryError('INTERNAL', 'internal error', undefined, { cause: error });
}

/** The JSON body every HTTP error carries. */
export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; request_id: string; details?: ErrorDetails };
}

export function errorEnvelope(error: TributaryError, requestId: string): ErrorEnvelope {
  const body: ErrorEnvelope['error'] = {
    code: error.code,
    message: error.message,
    request_id: requestId,
  };
  if (error.details && Object.keys(error.details).length > 0) body.details = error.details;
  return { error: body };
}
