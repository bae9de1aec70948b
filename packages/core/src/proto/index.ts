export type * from './agent-types.js';
export { type ContractMethod, contractMethod } from './contract-codec.js';
export {
  PROTO_LOADER_OPTIONS,
  protoDir,
  protoFiles,
  tributaryPackageDefinition,
  tributaryV1,
} from './load.js';
export type * from './types.js';
export { fromProtoValue, type SqlValue, toProtoValue } from './values.js';
