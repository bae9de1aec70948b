// The whole suite: formatting and lint, a type-checked build, then every unit
// test (beside the code) and end-to-end test (test/) in node's test runner.
// `node scripts/test.mjs <filter>` runs only test files whose path contains <filter>.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bin, bootstrap, root, run } from './bootstrap.mjs';

function findTests(dir, out = []) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (entry.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const filter = process.argv[2];
try {
  bootstrap();
  if (!filter) run(bin('biome'), ['ci', '.']);
  run(process.execPath, ['scripts/build.mjs']);
  run(bin('tsc'), ['-p', 'tsconfig.json']);
  const files = [...findTests(join(root, 'packages')), ...findTests(join(root, 'test'))]
    .filter((file) => !filter || file.includes(filter))
    .sort();
  run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
    env: { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '16' },
  });
} catch (error) {
  console.error(error.message);
  process.exit(process.exitCode || 1);
}
