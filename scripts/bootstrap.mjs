// Installs the workspace with a pinned pnpm, fetched through npx when the
// machine has none: a fresh clone needs nothing but Node.js and npm.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM = 'pnpm@9.15.9';

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    process.exitCode = result.status ?? 1;
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`);
  }
}

function installIsCurrent() {
  const marker = join(root, 'node_modules/.modules.yaml');
  if (!existsSync(marker)) return false;
  return statSync(marker).mtimeMs >= statSync(join(root, 'pnpm-lock.yaml')).mtimeMs;
}

export function bootstrap() {
  if (installIsCurrent()) return;
  const frozen = process.env.CI ? ['--frozen-lockfile'] : [];
  const local = join(root, 'node_modules/.bin/pnpm');
  if (existsSync(local)) run(local, ['install', ...frozen]);
  else run('npx', ['-y', PNPM, 'install', ...frozen]);
}

export function bin(name) {
  return join(root, 'node_modules/.bin', name);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) bootstrap();
