export { codeFromGrpcStatus, ERROR_CODES, type ErrorCode, GrpcStatus, isErrorCode } from './codes.js';
export { fromGrpcError, type GrpcErrorPayload, toGrpcError } from './grpc-status.js';
export {
  ERROR_CODE_KEY,
  ERROR_DETAILS_KEY,
  errorFromStatus,
  REQUEST_ID_KEY,
  RETRY_AFTER_KEY,
  type TrailerReader,
} from './status-error.js';
export {
  type ErrorDetails,
  type ErrorEnvelope,
  errorEnvelope,
  TributaryError,
  toTributaryError,
} from './tributary-error.js';
