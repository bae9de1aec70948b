// `npm start`: install, build, then run the whole system with sample data
// (`tributary dev`). Extra arguments pass through, e.g. `npm start -- --scale 2`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { bootstrap, root, run } from './bootstrap.mjs';

try {
  bootstrap();
  run(process.execPath, ['scripts/build.mjs']);
} catch (error) {
  console.error(error.message);
  process.exit(process.exitCode || 1);
}

const child = spawn(
  process.execPath,
  [join(root, 'packages/cli/dist/main.js'), 'dev', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
// Ctrl-C reaches the child through the terminal; this process only waits for it to finish cleanly.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
