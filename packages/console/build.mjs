// Builds the console: type-checks it, bundles it for browsers with esbuild
// (CodeMirror, the gRPC-Web SDK and apache-arrow included) under
// content-hashed names, and writes index.html pointing at them. The
// coordinator serves dist/ at /console.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

export async function buildConsole({ tsc }) {
  const check = spawnSync(tsc, ['-p', join(here, 'tsconfig.json')], { stdio: 'inherit' });
  if (check.status !== 0) throw new Error('console: type errors');
  // Build aside, then swap in: a coordinator starting meanwhile never sees a half-written dist/.
  const staging = mkdtempSync(join(here, '.dist-'));
  try {
    const result = await build({
      entryPoints: [join(here, 'src/main.ts'), join(here, 'static/console.css')],
      outdir: join(staging, 'assets'),
      entryNames: '[name]-[hash]',
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
      minify: true,
      sourcemap: 'linked',
      metafile: true,
      legalComments: 'linked',
      logLevel: 'warning',
      alias: { '@protobufjs/inquire': join(here, 'build/inquire.js') },
    });
    const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
    const script = outputs.find((file) => /^main-.*\.js$/.test(file));
    const styles = outputs.find((file) => /^console-.*\.css$/.test(file));
    if (!script || !styles) throw new Error('console: bundle outputs missing');
    const html = readFileSync(join(here, 'static/index.html'), 'utf8')
      .replace('%SCRIPT%', `assets/${script}`)
      .replace('%STYLES%', `assets/${styles}`);
    writeFileSync(join(staging, 'index.html'), html);
    chmodSync(staging, 0o755);
    rmSync(join(here, 'dist'), { recursive: true, force: true });
    renameSync(staging, join(here, 'dist'));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
