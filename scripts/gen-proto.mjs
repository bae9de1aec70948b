// Generates TypeScript types for the proto contract with proto-loader's own
// generator, so message shapes are never copied by hand.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
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

// Generate aside, then copy only what changed: concurrent builds never see a
// half-written folder, and unchanged files keep their timestamps for tsc -b.
const staging = mkdtempSync(join(tmpdir(), 'tributary-proto-'));
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
    `--outDir=${staging}`,
    ...files,
  ],
  { cwd: protoDir, stdio: 'inherit' },
);
if (result.status !== 0) process.exit(result.status ?? 1);

function listFiles(dir, prefix = '') {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}
const fresh = new Set(listFiles(staging));
for (const file of fresh) {
  const target = join(outDir, file);
  const next = readFileSync(join(staging, file));
  if (!existsSync(target) || !readFileSync(target).equals(next)) cpSync(join(staging, file), target);
}
for (const file of listFiles(outDir)) if (!fresh.has(file)) rmSync(join(outDir, file));
rmSync(staging, { recursive: true, force: true });
