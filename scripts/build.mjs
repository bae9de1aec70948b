// Generates the proto types and compiles every package (project references).
import { bin, bootstrap, root, run } from './bootstrap.mjs';

try {
  bootstrap();
  run(process.execPath, ['scripts/gen-proto.mjs'], { cwd: root });
  run(bin('tsc'), ['-b', 'tsconfig.build.json'], { cwd: root });
} catch (error) {
  console.error(error.message);
  process.exit(process.exitCode || 1);
}
