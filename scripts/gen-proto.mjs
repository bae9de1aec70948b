// Generates TypeScript types for the proto contract with proto-loader's own
// generator, so message shapes are never copied by hand.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = join(root, 'proto');
const outDir = join(root, 'packages/core/src/proto/generated');
const require = createRequire(join(root, 'packages/core/package.json'));
const loaderPkg = dirname(require.resolve('@grpc/proto-loader/package.json'));
const generator = join(loaderPkg, 'build/bin/proto-loader-gen-types.js');

const files = readdirSync(join(protoDir, 'tributary/v1'))
  .filter((f) => f.endsWith('.proto'))
  .map((f) => `tributary/v1/${f}`);

rmSync(outDir, { recursive: true, force: true });
const result = spawnSync(
  process.execPath,
  [
    generator,
    '--grpcLib=@grpc/grpc-js',
    '--longs=String',
    '--enums=String',
    '--defaults',
    '--oneofs',
    '--keepCase',
    '--importFileExtension=.js',
    '--inputTemplate=%s__Input',
    '--outputTemplate=%s',
    `--includeDirs=${protoDir}`,
    `--outDir=${outDir}`,
    ...files,
  ],
  { cwd: protoDir, stdio: 'inherit' },
);
if (result.status !== 0) process.exit(result.status ?? 1);
