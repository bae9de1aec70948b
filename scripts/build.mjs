// Generates the proto types, compiles every package (project references),
// then bundles the web console for browsers.
import { bin, bootstrap, root, run } from './bootstrap.mjs';

try {
  bootstrap();
  run(process.execPath, ['scripts/gen-proto.mjs'], { cwd: root });
  run(bin('tsc'), ['-b', 'tsconfig.build.json'], { cwd: root });
  const { buildConsole } = await import('../packages/console/build.mjs');
  await buildConsole({ tsc: bin('tsc') });
} catch (error) {
  console.error(error.message);
  process.exit(process.exitCode || 1);
}
