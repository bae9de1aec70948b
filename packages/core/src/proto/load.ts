import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GrpcObject, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';
import type { ProtoGrpcType as AdminProto } from './generated/admin.js';
import type { ProtoGrpcType as AgentProto } from './generated/agent.js';
import type { ProtoGrpcType as CatalogProto } from './generated/catalog.js';
import type { ProtoGrpcType as EdgeProto } from './generated/edge.js';
import type { ProtoGrpcType as QueryProto } from './generated/query.js';
import type { ProtoGrpcType as RegistryProto } from './generated/registry.js';

type V1 = AdminProto['tributary']['v1'] &
  AgentProto['tributary']['v1'] &
  CatalogProto['tributary']['v1'] &
  EdgeProto['tributary']['v1'] &
  QueryProto['tributary']['v1'] &
  RegistryProto['tributary']['v1'];

/** Options every process uses, so the generated types match what is decoded at run time. */
export const PROTO_LOADER_OPTIONS: Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Where the `.proto` contract lives: `TRIBUTARY_PROTO_DIR`, else the repository's `proto/`. */
export function protoDir(): string {
  const fromEnv = process.env.TRIBUTARY_PROTO_DIR;
  if (fromEnv) return resolve(fromEnv);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'proto', 'tributary', 'v1');
    if (existsSync(candidate)) return join(dir, 'proto');
    dir = dirname(dir);
  }
  throw new Error('proto/ not found; set TRIBUTARY_PROTO_DIR');
}

export function protoFiles(): string[] {
  const dir = join(protoDir(), 'tributary', 'v1');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.proto'))
    .sort()
    .map((file) => `tributary/v1/${file}`);
}

let cached: V1 | undefined;
let cachedDefinition: PackageDefinition | undefined;

/**
 * The loaded contract as proto-loader's package definition, file
 * descriptors included (what a reflection service serves). Loaded once per process.
 */
export function tributaryPackageDefinition(): PackageDefinition {
  cachedDefinition ??= loadSync(protoFiles(), { ...PROTO_LOADER_OPTIONS, includeDirs: [protoDir()] });
  return cachedDefinition;
}

/** The `tributary.v1` package: service definitions and client constructors. Loaded once per process. */
export function tributaryV1(): V1 {
  if (!cached) {
    const grpcObject = loadPackageDefinition(tributaryPackageDefinition()) as unknown as GrpcObject &
      AdminProto &
      AgentProto &
      CatalogProto &
      EdgeProto &
      QueryProto &
      RegistryProto;
    cached = grpcObject.tributary.v1 as V1;
  }
  return cached;
}
