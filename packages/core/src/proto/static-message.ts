import type { IConversionOptions, Writer } from 'protobufjs';

/** A message type as pbjs's static code defines it. */
export interface StaticMessage {
  fromObject(object: Record<string, unknown>): unknown;
  encode(message: unknown): Writer;
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: IConversionOptions): unknown;
}
