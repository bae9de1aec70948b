import Long from 'long';
import protobuf from 'protobufjs/light.js';
import descriptor from './generated/descriptor.js';

// 64-bit fields decode through long.js (then to decimal strings) in browsers
// too, where protobufjs cannot find it on its own.
protobuf.util.Long = Long;
protobuf.configure();

/** How decoded messages look: the same as proto-loader's PROTO_LOADER_OPTIONS, so one set of types serves both. */
const TO_OBJECT: protobuf.IConversionOptions = {
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

let root: protobuf.Root | undefined;
const methods = new Map<string, ContractMethod>();

/**
 * A method of the `tributary.v1` contract, encoded with protobufjs from the
 * descriptor generated at build time: no .proto files and no file system, so
 * it runs in browsers as well as in Node.
 */
export function contractMethod(service: string, method: string): ContractMethod {
  const key = `${service}/${method}`;
  const cached = methods.get(key);
  if (cached) return cached;
  // The generated literal is a protobufjs JSON descriptor; its inferred type is only narrower.
  root ??= protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
  const found = root.lookup(`tributary.v1.${service}`);
  const rpc = found instanceof protobuf.Service ? found.methods[method] : undefined;
  if (!rpc) throw new Error(`unknown method ${key}`);
  rpc.resolve();
  const requestType = rpc.resolvedRequestType as protobuf.Type;
  const responseType = rpc.resolvedResponseType as protobuf.Type;
  const codec: ContractMethod = {
    path: `/tributary.v1.${service}/${method}`,
    service,
    method,
    responseStream: Boolean(rpc.responseStream),
    encodeRequest: (request) =>
      requestType.encode(requestType.fromObject(request as Record<string, unknown>)).finish(),
    decodeResponse: (bytes) => responseType.toObject(responseType.decode(bytes), TO_OBJECT),
  };
  methods.set(key, codec);
  return codec;
}
