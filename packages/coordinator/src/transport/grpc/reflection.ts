import type { Server } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { tributaryPackageDefinition } from '@tributary/core';

/** The services the coordinator's gRPC port serves, by full name. */
export const COORDINATOR_SERVICES = [
  'tributary.v1.CatalogService',
  'tributary.v1.QueryService',
  'tributary.v1.AdminService',
  'tributary.v1.EdgeRegistryService',
] as const;

/**
 * gRPC server reflection (v1 and v1alpha), so `grpcurl list` / `describe`
 * and other generic clients work without a copy of `proto/`.
 *
 * Reflection needs no credential: it reveals only the public contract — the
 * same `.proto` files that ship with Tributary — never data, catalog
 * contents or identities. Every Tributary RPC still authenticates.
 */
export function addReflection(server: Server): void {
  // @grpc/reflection is typed against its own copy of proto-loader; the
  // package definition's shape is the same.
  const definition = tributaryPackageDefinition() as ConstructorParameters<typeof ReflectionService>[0];
  new ReflectionService(definition, { services: [...COORDINATOR_SERVICES] }).addToServer(server);
}
