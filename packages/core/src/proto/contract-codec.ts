import type { IConversionOptions } from 'protobufjs';
import { staticMessages } from './generated/static-messages.js';
import { webMethods } from './generated/web-methods.js';

/** How decoded messages look: the same as proto-loader's PROTO_LOADER_OPTIONS, so one set of types serves both. */
const TO_OBJECT: IConversionOptions = {
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** One RPC of the contract with the encoders of its request and response messages. */
export interface ContractMethod {
  /** `/tributary.v1.Service/Method`, the gRPC path. */
  path: string;
  service: string;
  method: string;
  responseStream: boolean;
  encodeRequest(request: unknown): Uint8Array;
  decodeResponse(bytes: Uint8Array): unknown;
}

const methods = new Map<string, ContractMethod>();

/**
 * A method of the services served over gRPC-Web (`QueryService`,
 * `CatalogService`, `AdminService`), encoded by protobufjs code generated
 * from the contract at build time: no .proto files, no file system and no
 * eval, so it runs in browsers (under a strict CSP) as well as in Node.
 */
export function contractMethod(service: string, method: string): ContractMethod {
  const key = `${service}/${method}`;
  const cached = methods.get(key);
  if (cached) return cached;
  const rpc = webMethods[key];
  const requestType = rpc && staticMessages[rpc.requestType];
  const responseType = rpc && staticMessages[rpc.responseType];
  if (!rpc || !requestType || !responseType) throw new Error(`unknown method ${key}`);
  const codec: ContractMethod = {
    path: `/tributary.v1.${key}`,
    service,
    method,
    responseStream: rpc.responseStream,
    encodeRequest: (request) =>
      requestType.encode(requestType.fromObject(request as Record<string, unknown>)).finish(),
    decodeResponse: (bytes) => responseType.toObject(responseType.decode(bytes), TO_OBJECT),
  };
  methods.set(key, codec);
  return codec;
}
