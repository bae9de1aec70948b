import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

/**
 * Relaying result chunks without re-encoding them. A chunk read from an edge
 * keeps the exact protobuf bytes it arrived as; when the coordinator writes
 * that chunk to its own client, those bytes go out as they are. This spares
 * the coordinator a full decode-copy-encode of every record batch, which is
 * most of its work (and garbage) while streaming.
 */
const WIRE_BYTES = Symbol('tributary.wireBytes');

type WithWireBytes = { [WIRE_BYTES]?: Buffer };

export function wireBytesOf(message: object): Buffer | undefined {
  return (message as WithWireBytes)[WIRE_BYTES];
}

/** Wraps a method's deserializer so every decoded message remembers its bytes. */
export function keepingWireBytes<T extends object>(deserialize: (bytes: Buffer) => T): (bytes: Buffer) => T {
  return (bytes) => {
    const message = deserialize(bytes);
    Object.defineProperty(message, WIRE_BYTES, { value: bytes, enumerable: false });
    return message;
  };
}

/**
 * A copy of a service definition whose listed server-streaming methods send a
 * message's remembered bytes when it has them, and encode it otherwise.
 */
export function relayingService<S extends ServiceDefinition>(service: S, methods: (keyof S & string)[]): S {
  const copy = { ...service };
  for (const name of methods) {
    const method = service[name] as MethodDefinition<unknown, object>;
    const encode = method.responseSerialize;
    (copy as Record<string, unknown>)[name] = {
      ...method,
      responseSerialize: (message: object) => wireBytesOf(message) ?? encode(message),
    };
  }
  return copy;
}
