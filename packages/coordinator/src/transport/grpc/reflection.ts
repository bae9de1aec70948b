import type { Server } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { tributaryPackageDefinition } from '@tributary/core';
import descriptor from 'protobufjs/ext/descriptor/index.js';

/** The services the coordinator's gRPC port serves, by full name. */
export const COORDINATOR_SERVICES = [
  'tributary.v1.CatalogService',
  'tributary.v1.QueryService',
  'tributary.v1.AdminService',
  'tributary.v1.AgentService',
  'tributary.v1.EdgeRegistryService',
] as const;

type ReflectedPackage = ConstructorParameters<typeof ReflectionService>[0];

interface MessageProto {
  name: string;
  field: { name: string; label?: number; typeName?: string }[];
  nestedType: (MessageProto & { options?: { mapEntry?: boolean } })[];
}

const LABEL_REPEATED = 3;

/** protoc's name for a map field's entry type: `set_settings` → `SetSettingsEntry`. */
function mapEntryName(field: string): string {
  return `${field.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}Entry`;
}

/**
 * protobufjs, under proto-loader, names a map field's entry type after the
 * field (`Settings`) where protoc names it `SettingsEntry`; strict descriptor
 * builders (grpcurl's, protoc's) refuse the file for it. The entries get
 * protoc's names, and their fields full type names, before reflection
 * serves the descriptors.
 */
function withProtocMapEntries(bytes: Buffer): Buffer {
  const file = descriptor.FileDescriptorProto.decode(bytes) as unknown as {
    package: string;
    messageType: MessageProto[];
  };
  const visit = (message: MessageProto, scope: string) => {
    const fullName = `${scope}.${message.name}`;
    for (const field of message.field) {
      const entry = message.nestedType.find((n) => n.options?.mapEntry && n.name === field.typeName);
      if (!entry || field.label !== LABEL_REPEATED) continue;
      entry.name = mapEntryName(field.name);
      field.typeName = `${fullName}.${entry.name}`;
    }
    for (const nested of message.nestedType) visit(nested, fullName);
  };
  for (const message of file.messageType) visit(message, `.${file.package}`);
  return Buffer.from(descriptor.FileDescriptorProto.encode(file as never).finish());
}

function reflectedPackage(): ReflectedPackage {
  const definition = tributaryPackageDefinition();
  const fixed = new Map<Buffer, Buffer>();
  const fix = (bytes: Buffer) => {
    const known = fixed.get(bytes);
    if (known) return known;
    const result = withProtocMapEntries(bytes);
    fixed.set(bytes, result);
    return result;
  };
  const entries = Object.entries(definition).map(([name, entry]) => {
    const files = (entry as { fileDescriptorProtos?: Buffer[] }).fileDescriptorProtos;
    return [name, files ? { ...entry, fileDescriptorProtos: files.map(fix) } : entry];
  });
  // @grpc/reflection is typed against its own copy of proto-loader; the shape is the same.
  return Object.fromEntries(entries) as ReflectedPackage;
}

/**
 * gRPC server reflection (v1 and v1alpha), so `grpcurl list` / `describe`
 * and other generic clients work without a copy of `proto/`.
 *
 * Reflection needs no credential: it reveals only the public contract — the
 * same `.proto` files that ship with Tributary — never data, catalog
 * contents or identities. Every Tributary RPC still authenticates.
 */
export function addReflection(server: Server): void {
  new ReflectionService(reflectedPackage(), { services: [...COORDINATOR_SERVICES] }).addToServer(server);
}
