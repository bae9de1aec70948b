// A gRPC server-reflection client, as grpcurl and other generic tools use
// it: grpc-js over the reflection protos that @grpc/reflection ships.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  type ClientDuplexStream,
  credentials,
  type GrpcObject,
  loadPackageDefinition,
  Metadata,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import descriptor from 'protobufjs/ext/descriptor/index.js';

export type ReflectionVersion = 'v1' | 'v1alpha';

interface ReflectionResponse {
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
}

export interface MessageDescriptor {
  name: string;
  field?: { name: string; typeName?: string }[];
  nestedType?: (MessageDescriptor & { options?: { mapEntry?: boolean } })[];
}

export interface FileDescriptor {
  name: string;
  package: string;
  dependency?: string[];
  messageType?: MessageDescriptor[];
  service?: {
    name: string;
    method: { name: string; inputType: string; outputType: string; serverStreaming?: boolean }[];
  }[];
}

const require = createRequire(import.meta.url);
const protoRoot = join(dirname(require.resolve('@grpc/reflection')), '..', 'proto');

type Stub = new (
  address: string,
  creds: ReturnType<typeof credentials.createInsecure>,
) => {
  ServerReflectionInfo(metadata: Metadata): ClientDuplexStream<object, ReflectionResponse>;
  close(): void;
};

function stubClass(version: ReflectionVersion): Stub {
  const definition = loadSync(`grpc/reflection/${version}/reflection.proto`, {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: [protoRoot],
  });
  const reflection = (loadPackageDefinition(definition).grpc as GrpcObject).reflection as GrpcObject;
  return (reflection[version] as GrpcObject).ServerReflection as unknown as Stub;
}

/** One reflection request over its own stream; metadata (e.g. credentials) is optional. */
async function ask(
  address: string,
  version: ReflectionVersion,
  request: object,
  metadata = new Metadata(),
): Promise<ReflectionResponse> {
  const client = new (stubClass(version))(address, credentials.createInsecure());
  try {
    const call = client.ServerReflectionInfo(metadata);
    const answer = new Promise<ReflectionResponse>((resolve, reject) => {
      call.once('data', resolve);
      call.once('error', reject);
    });
    call.write(request);
    call.end();
    return await answer;
  } finally {
    client.close();
  }
}

export async function listServices(address: string, version: ReflectionVersion, metadata?: Metadata) {
  const response = await ask(address, version, { list_services: '' }, metadata);
  if (!response.list_services_response) throw new Error(JSON.stringify(response.error_response));
  return response.list_services_response.service.map((s) => s.name).sort();
}

/** The decoded file descriptors answering `file_containing_symbol`. */
export async function fileContainingSymbol(
  address: string,
  version: ReflectionVersion,
  symbol: string,
): Promise<FileDescriptor[]> {
  const response = await ask(address, version, { file_containing_symbol: symbol });
  if (!response.file_descriptor_response) throw new Error(JSON.stringify(response.error_response));
  return response.file_descriptor_response.file_descriptor_proto.map(
    (bytes) =>
      descriptor.FileDescriptorProto.toObject(descriptor.FileDescriptorProto.decode(bytes)) as FileDescriptor,
  );
}
