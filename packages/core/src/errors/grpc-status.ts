import { Metadata, type ServiceError, type status } from '@grpc/grpc-js';
import { codeFromGrpcStatus, isErrorCode } from './codes.js';
import { TributaryError } from './tributary-error.js';

/** Trailer keys that carry the error model over gRPC alongside the status code. */
export const ERROR_CODE_KEY = 'tributary-error-code';
export const REQUEST_ID_KEY = 'x-request-id';
export const ERROR_DETAILS_KEY = 'tributary-error-details-bin';

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
  const declared = metadata?.get(ERROR_CODE_KEY)[0];
  const code = isErrorCode(declared) ? declared : codeFromGrpcStatus(serviceError.code);
  let details: Record<string, unknown> | undefined;
  const rawDetails = metadata?.get(ERROR_DETAILS_KEY)[0];
  if (rawDetails instanceof Buffer) {
    try {
      details = JSON.parse(rawDetails.toString('utf8')) as Record<string, unknown>;
    } catch {
      details = undefined;
    }
  }
  const requestId = metadata?.get(REQUEST_ID_KEY)[0];
  if (typeof requestId === 'string') details = { ...details, request_id: requestId };
  return new TributaryError(code, serviceError.details || serviceError.message || code, details, {
    cause: error,
  });
}
