import { Metadata, type ServiceError, type status } from '@grpc/grpc-js';
import {
  ERROR_CODE_KEY,
  ERROR_DETAILS_KEY,
  errorFromStatus,
  REQUEST_ID_KEY,
  RETRY_AFTER_KEY,
} from './status-error.js';
import { TributaryError } from './tributary-error.js';

export interface GrpcErrorPayload {
  code: status;
  details: string;
  metadata: Metadata;
}

/** Turns a TributaryError into the status a grpc-js handler emits. */
export function toGrpcError(error: TributaryError, requestId: string): GrpcErrorPayload {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_KEY, error.code);
  metadata.set(REQUEST_ID_KEY, requestId);
  if (error.details && Object.keys(error.details).length > 0) {
    metadata.set(ERROR_DETAILS_KEY, Buffer.from(JSON.stringify(error.details)));
  }
  // The HTTP Retry-After header's counterpart (whole seconds), readable by
  // gRPC clients of any language without decoding the details.
  const retryAfterMs = Number(error.details?.retry_after_ms);
  if (Number.isFinite(retryAfterMs) && retryAfterMs > 0) {
    metadata.set(RETRY_AFTER_KEY, String(Math.ceil(retryAfterMs / 1000)));
  }
  return { code: error.grpcStatus, details: error.message, metadata };
}

/** Reads a TributaryError back out of a grpc-js client error. */
export function fromGrpcError(error: unknown): TributaryError {
  if (error instanceof TributaryError) return error;
  const serviceError = error as Partial<ServiceError>;
  if (typeof serviceError.code !== 'number') {
    return new TributaryError('INTERNAL', String((error as Error)?.message ?? error), undefined, {
      cause: error,
    });
  }
  const metadata = serviceError.metadata;
  return errorFromStatus(
    serviceError.code,
    serviceError.details || serviceError.message || '',
    (key) => {
      const value = metadata?.get(key)[0];
      return typeof value === 'string' || value instanceof Uint8Array ? value : undefined;
    },
    error,
  );
}
