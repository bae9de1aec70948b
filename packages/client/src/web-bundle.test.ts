// The browser entry must bundle for browsers: no gRPC library, no proto
// files read at run time, no Node built-in anywhere in its import graph.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { build } from 'esbuild';

test('@tributary/client/web bundles for browsers without Node built-ins or grpc-js', async () => {
  const entry = createRequire(import.meta.url).resolve('@tributary/client/web');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    outfile: 'web.js',
  });
  assert.deepEqual(result.errors, []);
  const inputs = Object.keys(result.metafile.inputs);
  const forbidden = inputs.filter((input) =>
    /@grpc\/grpc-js|@grpc\/proto-loader|pino|grpc-web-node-http-transport|@protobufjs\/codegen|^node:/.test(
      input,
    ),
  );
  assert.deepEqual(forbidden, []);
  assert.ok(
    inputs.some((input) => input.includes('protobufjs')),
    'encodes with protobufjs',
  );
  assert.ok(
    inputs.some((input) => input.includes('static-messages.js')),
    'encodes with the code generated at build time',
  );
});
