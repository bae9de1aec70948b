// The part of core that runs in browsers as well as in Node: the error model,
// the contract's types and encoders, query parameters and Arrow → JSON
// values. Nothing reachable from here may import a gRPC library, the file
// system or any other Node built-in (the browser bundle test checks this).
export { ARROW_EOS } from './arrow/ipc-stream.js';
export { JsonRowEncoder, type JsonValue, type RowObject } from './arrow/json-values.js';
export { codeFromGrpcStatus, ERROR_CODES, type ErrorCode, GrpcStatus, isErrorCode } from './errors/codes.js';
export {
  ERROR_CODE_KEY,
  ERROR_DETAILS_KEY,
  errorFromStatus,
  REQUEST_ID_KEY,
  type TrailerReader,
} from './errors/status-error.js';
export { type ErrorDetails, TributaryError } from './errors/tributary-error.js';
export { type ContractMethod, contractMethod } from './proto/contract-codec.js';
export type * from './proto/types.js';
export { fromProtoValue, type SqlValue, toProtoValue } from './proto/values.js';
