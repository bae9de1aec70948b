export { codeFromGrpcStatus, ERROR_CODES, type ErrorCode, isErrorCode } from './codes.js';
export {
  ERROR_CODE_KEY,
  ERROR_DETAILS_KEY,
  fromGrpcError,
  type GrpcErrorPayload,
  REQUEST_ID_KEY,
  toGrpcError,
} from './grpc-status.js';
export {
  type ErrorDetails,
  type ErrorEnvelope,
  errorEnvelope,
  TributaryError,
  toTributaryError,
} from './tributary-error.js';
