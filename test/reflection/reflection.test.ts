// gRPC server reflection on the coordinator: generic clients (grpcurl,
// Postman, …) list and describe the public contract without a credential,
// while every Tributary call still requires one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { Cluster } from '../support/cluster.js';
import { finishStream, metadataOf, rawQueryService } from '../support/grpc.js';
import { fileContainingSymbol, listServices } from '../support/reflection.js';

const SERVED = [
  'tributary.v1.AdminService',
  'tributary.v1.AgentService',
  'tributary.v1.CatalogService',
  'tributary.v1.EdgeRegistryService',
  'tributary.v1.QueryService',
];

let cluster: Cluster;

before(async () => {
  cluster = await Cluster.start({ edges: [] });
});

after(async () => {
  await cluster?.stop();
});

for (const version of ['v1', 'v1alpha'] as const) {
  describe(`reflection ${version}`, () => {
    test('lists the served services, without a credential', async () => {
      assert.deepEqual(await listServices(cluster.grpcAddress, version), SERVED);
    });

    test('lists the same with a credential', async () => {
      const metadata = metadataOf({ 'x-api-key': cluster.apiKey });
      assert.deepEqual(await listServices(cluster.grpcAddress, version, metadata), SERVED);
    });

    test('resolves a file descriptor for tributary.v1.QueryService', async () => {
      // proto-loader describes a package as one file, every message it needs included.
      const files = await fileContainingSymbol(cluster.grpcAddress, version, 'tributary.v1.QueryService');
      const file = files.find((f) => f.service?.some((s) => s.name === 'QueryService'));
      assert.ok(file, 'a file declares QueryService');
      assert.equal(file.package, 'tributary.v1');
      const service = file.service?.find((s) => s.name === 'QueryService');
      assert.deepEqual(
        service?.method.map((m) => [m.name, m.inputType, m.outputType, Boolean(m.serverStreaming)]),
        [
          ['ExecuteQuery', '.tributary.v1.ExecuteQueryRequest', '.tributary.v1.QueryResultChunk', true],
          [
            'ValidateQuery',
            '.tributary.v1.ValidateQueryRequest',
            '.tributary.v1.ValidateQueryResponse',
            false,
          ],
          ['BuildQuery', '.tributary.v1.BuildQueryRequest', '.tributary.v1.BuildQueryResponse', false],
        ],
      );
      const declared = new Set(
        files.flatMap((f) => (f.messageType ?? []).map((m) => `.${f.package}.${m.name}`)),
      );
      for (const type of [
        '.tributary.v1.ExecuteQueryRequest',
        '.tributary.v1.QueryResultChunk',
        '.tributary.v1.Value',
      ]) {
        assert.ok(declared.has(type), `${type} is described`);
      }
    });

    test("map fields carry protoc's entry types, as strict descriptor builders (grpcurl) require", async () => {
      const files = await fileContainingSymbol(cluster.grpcAddress, version, 'tributary.v1.AdminService');
      const messages = files.flatMap((f) => f.messageType ?? []);
      const CASES = [
        ['Tenant', 'settings', '.tributary.v1.Tenant.SettingsEntry'],
        ['UpdateUserRequest', 'set_attributes', '.tributary.v1.UpdateUserRequest.SetAttributesEntry'],
      ];
      for (const [message, field, entry] of CASES) {
        const type = messages.find((m) => m.name === message);
        assert.equal(type?.field?.find((f) => f.name === field)?.typeName, entry);
        const nested = type?.nestedType?.find((n) => n.options?.mapEntry);
        assert.equal(`.tributary.v1.${message}.${nested?.name}`, entry);
      }
    });

    test('an unknown symbol is an error response, not a crash', async () => {
      await assert.rejects(
        fileContainingSymbol(cluster.grpcAddress, version, 'tributary.v1.Nope'),
        /not found/i,
      );
    });
  });
}

test('Tributary calls still require a credential', async () => {
  const stub = rawQueryService(cluster.grpcAddress);
  try {
    const outcome = await finishStream(stub.ExecuteQuery({ sql: 'SELECT 1' }, metadataOf({})));
    assert.equal(outcome.code, status.UNAUTHENTICATED);
  } finally {
    stub.close();
  }
});
