/**
 * deploy/docker/Dockerfile, checked without a container engine: what it
 * copies exists and survives .dockerignore, it installs exactly as the
 * repository pins, and each target runs the real CLI as a non-root user on
 * the ports and health endpoints the code defines.
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  byNumber,
  COMPOSE_DIR,
  DOCKERFILE,
  dockerfileStages,
  execForm,
  exists,
  exposedPorts,
  KUBERNETES_DIR,
  portOf,
  ROOT,
  readText,
  readYaml,
  stageChain,
} from './support/deploy-files.js';
import { coordinatorDefaultPorts, edgeDefaultPort, processCommand } from './support/process-configs.js';

// A CommonJS module whose typings declare an ES default export: required, so both agree.
const ignore = createRequire(import.meta.url)(
  '@balena/dockerignore',
) as typeof import('@balena/dockerignore').default;

const stages = dockerfileStages();
const dockerignore = ignore().add(readText(join(ROOT, '.dockerignore')));
const pinnedPnpm = (JSON.parse(readText(join(ROOT, 'package.json'))) as { packageManager: string })
  .packageManager;

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((entry) =>
    entry === 'node_modules' || entry === 'dist' ? [] : filesUnder(join(path, entry)),
  );
}

/**
 * The edge's HTTP listener (health, metrics) has no default port: the one
 * every edge configuration under deploy/ sets, which must agree.
 */
function deploymentEdgeHttpPort(): number {
  const files = [
    ...readdirSync(join(COMPOSE_DIR, 'config'))
      .filter((f) => f.startsWith('edge'))
      .map((f) => join(COMPOSE_DIR, 'config', f)),
    join(KUBERNETES_DIR, 'base/edge/edge.yaml'),
  ];
  const ports = new Set(files.map((file) => portOf((readYaml(file).http as { listen: string }).listen)));
  assert.equal(ports.size, 1, `edge configurations agree on one http port: ${[...ports].join(', ')}`);
  return [...ports][0] as number;
}

const contextCopies = stages.flatMap((stage) =>
  stage.instructions
    .filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && !('from' in i.flags))
    .map((i) => ({
      stage: stage.name,
      line: i.line,
      sources: i.args.slice(0, -1),
      destination: i.args.at(-1),
    })),
);

describe('Dockerfile', () => {
  test('starts from node:20-bookworm-slim or an earlier stage', () => {
    for (const stage of stages) {
      const known = stages.some((s) => s.name === stage.from);
      assert.ok(known || stage.from === 'node:20-bookworm-slim', `${stage.name} starts FROM ${stage.from}`);
    }
  });

  test('every COPY source exists in the repository and is not excluded by .dockerignore', () => {
    assert.ok(contextCopies.length > 0);
    for (const copy of contextCopies) {
      for (const source of copy.sources) {
        const where = `COPY ${source} (line ${copy.line})`;
        assert.ok(!/[*?[]/.test(source), `${where}: use explicit paths, not globs`);
        const path = join(ROOT, source);
        assert.ok(exists(path), `${where}: ${source} does not exist`);
        const shipped = filesUnder(path).filter((file) => !dockerignore.ignores(file.slice(ROOT.length + 1)));
        assert.ok(shipped.length > 0, `${where}: .dockerignore excludes everything in ${source}`);
      }
    }
  });

  test('the build context keeps sources and drops dependencies and build output', () => {
    for (const kept of ['packages/core/src/index.ts', 'proto/tributary/v1/query.proto', 'pnpm-lock.yaml']) {
      assert.ok(!dockerignore.ignores(kept), `.dockerignore must keep ${kept}`);
    }
    for (const dropped of [
      'node_modules/x',
      'packages/core/node_modules/x',
      'packages/core/dist/index.js',
      '.git/HEAD',
    ]) {
      assert.ok(dockerignore.ignores(dropped), `.dockerignore must drop ${dropped}`);
    }
  });

  test('installs with the pinned pnpm through npx and the frozen lockfile, after copying every workspace manifest', () => {
    const build = stageChain(stages, 'build').flatMap((s) => s.instructions);
    const runs = build.filter((i) => i.keyword === 'RUN').map((i) => i.args.join(' '));
    const install = build.findIndex((i) => i.keyword === 'RUN' && /pnpm@\S+ install/.test(i.args.join(' ')));
    assert.ok(install >= 0, 'the build stage runs pnpm install');
    assert.match(
      runs.join('\n'),
      new RegExp(`npx --yes ${pinnedPnpm.replace('.', '\\.')} install --frozen-lockfile`),
    );
    assert.ok(!runs.some((r) => r.includes('corepack')), 'pnpm comes through npx, not corepack');
    for (const run of runs.filter((r) => r.includes('pnpm@'))) {
      assert.ok(run.includes(pinnedPnpm), `every pnpm call uses ${pinnedPnpm}: ${run}`);
    }
    const copiedBeforeInstall = build
      .slice(0, install)
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) => i.args.slice(0, -1));
    const workspaceManifests = readdirSync(join(ROOT, 'packages'))
      .filter((name) => exists(join(ROOT, 'packages', name, 'package.json')))
      .map((name) => `packages/${name}/package.json`);
    for (const manifest of ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', ...workspaceManifests]) {
      assert.ok(copiedBeforeInstall.includes(manifest), `${manifest} is copied before pnpm install`);
    }
    assert.ok(
      runs.some((r) => /pnpm@\S+ --filter @tributary\/cli deploy --prod/.test(r)),
      'the runtime gets a production-only deploy of the CLI',
    );
  });

  for (const target of ['coordinator', 'edge'] as const) {
    describe(`target ${target}`, () => {
      const chain = stageChain(stages, target);

      test('runs the CLI as a non-root user', () => {
        const user = chain
          .flatMap((s) => s.instructions)
          .filter((i) => i.keyword === 'USER')
          .at(-1)?.args[0];
        assert.ok(user, 'USER is set');
        assert.match(
          user,
          /^[1-9]\d*(:\d+)?$/,
          'USER is a numeric non-root uid, so runAsNonRoot can verify it',
        );
        assert.deepEqual(execForm(stages, target, 'ENTRYPOINT'), ['node', '/app/bin/tributary.mjs']);
        assert.ok(exists(join(ROOT, 'packages/cli/bin/tributary.mjs')));
        const command = processCommand(execForm(stages, target, 'CMD') ?? []);
        assert.equal(command?.role, target);
        assert.match(command?.configPath ?? '', /^\/etc\/tributary\/[a-z-]+\.yaml$/);
        const env = chain.flatMap((s) => s.instructions).filter((i) => i.keyword === 'ENV');
        assert.ok(
          env.some((i) => i.args.includes('TRIBUTARY_PROTO_DIR=/app/proto')),
          'the deployed packages find the proto contract through TRIBUTARY_PROTO_DIR',
        );
      });

      test('exposes the ports of the configuration defaults and the deployment configurations', () => {
        const expected =
          target === 'coordinator'
            ? Object.values(coordinatorDefaultPorts())
            : [edgeDefaultPort(), deploymentEdgeHttpPort()];
        assert.deepEqual(exposedPorts(stages, target).sort(byNumber), expected.sort(byNumber));
      });

      test('has a HEALTHCHECK through the shipped probe on one of its own ports', () => {
        const probe = execForm(stages, target, 'HEALTHCHECK');
        assert.ok(probe, 'HEALTHCHECK is set');
        assert.deepEqual(probe.slice(0, 2), ['node', '/app/healthcheck.mjs']);
        const url = new URL(probe[2] ?? '');
        assert.ok(['127.0.0.1', 'localhost'].includes(url.hostname));
        assert.ok(exposedPorts(stages, target).includes(Number(url.port)), `${url} is an exposed port`);
        const httpPort = target === 'coordinator' ? coordinatorDefaultPorts().http : deploymentEdgeHttpPort();
        assert.equal(url.protocol, 'http:');
        assert.equal(Number(url.port), httpPort);
        // The path itself is requested from running processes in stack.test.ts.
        assert.equal(url.pathname, '/health/live');
      });
    });
  }

  test('names exactly the stages the deployment files use', () => {
    assert.deepEqual(
      stages.map((s) => s.name),
      ['build', 'runtime', 'coordinator', 'edge'],
    );
    assert.ok(
      readText(DOCKERFILE).startsWith('# syntax=docker/dockerfile:1'),
      'BuildKit syntax for cache mounts',
    );
  });
});
