/**
 * The compose stack's Tributary containers as real processes, without a
 * container engine: each started through the CLI with the command line its
 * image runs, its mounted configuration and the environment compose gives
 * it. Only what a container engine would differ in is changed — listen
 * addresses become ephemeral loopback ports, container paths map into a
 * scratch directory, REDIS_URL names a redis-server of the test's own, and
 * edges dial coordinator-1 directly instead of the load balancer. Then every probe path the deployment files use is
 * requested, queries run over HTTP, and the container health probe script is
 * exercised against the live processes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ServiceProcess } from '@tributary/cli';
import { generateApiKey, hashApiKey } from '@tributary/coordinator';
import { stringify } from 'yaml';
import { RedisServer } from '../support/redis.js';
import {
  COMPOSE_DIR,
  type ComposeProject,
  type ComposeService,
  composeProject,
  DEPLOY,
  dockerfileStages,
  execForm,
  type Json,
  KUBERNETES_DIR,
  kustomize,
  materializeMounts,
  ROOT,
  readEnvFile,
  readText,
  readYaml,
  serviceEnvironment,
  serviceMounts,
} from './support/deploy-files.js';
import { parseHaproxy } from './support/haproxy.js';
import { type LoadedConfig, loadProcessConfig, processCommand } from './support/process-configs.js';

const CLI = join(ROOT, 'packages/cli/bin/tributary.mjs');
const HEALTHCHECK = join(DEPLOY, 'docker/healthcheck.mjs');
const stages = dockerfileStages();

/** Every HTTP path something probes a coordinator or an edge on: Docker, HAProxy and Kubernetes. */
function probePaths(role: 'coordinator' | 'edge'): string[] {
  const paths = new Set<string>();
  const docker = execForm(stages, role, 'HEALTHCHECK')?.[2];
  if (docker?.startsWith('http')) paths.add(new URL(docker).pathname);
  if (role === 'coordinator') {
    for (const backend of parseHaproxy(readText(join(COMPOSE_DIR, 'haproxy/haproxy.cfg'))).backends) {
      if (backend.checkPath) paths.add(backend.checkPath);
    }
  }
  const kinds = role === 'coordinator' ? ['Deployment'] : ['StatefulSet', 'DaemonSet'];
  for (const overlay of ['demo', 'edge-daemonset']) {
    for (const object of kustomize(join(KUBERNETES_DIR, 'overlays', overlay)) ?? []) {
      if (!kinds.includes(String(object.kind)) || !JSON.stringify(object).includes(`tributary/${role}:`))
        continue;
      for (const match of JSON.stringify(object).matchAll(/"httpGet":\{"path":"([^"]+)"/g))
        paths.add(match[1] as string);
    }
  }
  return [...paths].sort();
}

/** A container's file system in a scratch directory: bind mounts copied, named volumes shared. */
class ContainerFiles {
  readonly root: string;

  constructor(
    private readonly scratch: string,
    readonly name: string,
    private readonly service: ComposeService,
  ) {
    this.root = join(scratch, 'containers', name);
    materializeMounts(
      this.root,
      serviceMounts(service).filter((m) => m.bind),
    );
  }

  /** Where a container path lives on this machine. */
  hostPath(containerPath: string): string {
    for (const mount of serviceMounts(this.service)) {
      if (mount.bind) continue;
      if (containerPath === mount.target || containerPath.startsWith(`${mount.target}/`)) {
        const volume = join(this.scratch, 'volumes', mount.source);
        mkdirSync(volume, { recursive: true });
        return join(volume, containerPath.slice(mount.target.length));
      }
    }
    return join(this.root, containerPath);
  }

  /** Absolute container paths in a configuration, mapped onto this machine. */
  mapPaths(value: unknown): unknown {
    if (typeof value === 'string' && value.startsWith('/')) return this.hostPath(value);
    if (Array.isArray(value)) return value.map((item) => this.mapPaths(item));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.mapPaths(item)]));
    }
    return value;
  }
}

describe('the compose stack as processes', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'tributary-stack-'));
  const apiKey = generateApiKey();
  const env = {
    ...readEnvFile(join(COMPOSE_DIR, '.env.example')),
    TRIBUTARY_JOIN_TOKEN: randomBytes(24).toString('base64url'),
    TRIBUTARY_ADMIN_KEY_SHA256: hashApiKey(apiKey),
    TRIBUTARY_DEMO_SCALE: '0.02',
  };
  const project: ComposeProject = composeProject(env);
  let redis: RedisServer | undefined;
  const processes = new Map<string, ServiceProcess>();
  const files = new Map<string, ContainerFiles>();
  const urls = new Map<string, string>();
  const grpcPorts = new Map<string, number>();

  function containerFiles(name: string): ContainerFiles {
    let found = files.get(name);
    if (!found) {
      const service = project.services[name];
      assert.ok(service, `service ${name}`);
      found = new ContainerFiles(scratch, name, service);
      files.set(name, found);
    }
    return found;
  }

  /** The service's configuration with only listen addresses, paths and the coordinator address changed. */
  function localConfig(
    name: string,
    coordinatorAddress?: string,
  ): { role: LoadedConfig['role']; file: string } {
    const service = project.services[name]!;
    const args = service.command ?? execForm(stages, name.startsWith('edge') ? 'edge' : 'coordinator', 'CMD');
    const command = processCommand(args ?? []);
    assert.ok(command);
    const container = containerFiles(name);
    const environment = serviceEnvironment(service);
    if (environment.REDIS_URL) {
      assert.ok(redis, 'Redis is started first');
      environment.REDIS_URL = redis.url;
    }
    const loaded = loadProcessConfig(container.root, command, environment);
    const raw: Json = structuredClone(loaded.raw);
    const section = (name: string) => raw[name] as Json | undefined;
    if (loaded.role === 'coordinator') {
      for (const name of ['grpc', 'http', 'grpc_web', 'mcp']) {
        const listener = section(name);
        if (listener) listener.listen = '127.0.0.1:0';
      }
      raw.store = { ...section('store'), path: container.hostPath(loaded.config.store.path) };
    } else {
      raw.listen = '127.0.0.1:0';
      raw.advertise_host = '127.0.0.1';
      const http = section('http');
      if (http) http.listen = '127.0.0.1:0';
      raw.coordinator = { ...section('coordinator'), address: coordinatorAddress };
      raw.sources = container.mapPaths(raw.sources);
      raw.engine = container.mapPaths(raw.engine);
    }
    const file = `${loaded.file}.local.yaml`;
    writeFileSync(file, stringify(raw));
    return { role: loaded.role, file };
  }

  before(async () => {
    redis = await RedisServer.start();
    // The one-shot job first, exactly as compose runs it (its image's entrypoint is the CLI).
    const job = project.services['demo-data']!;
    const args = (job.command ?? []).map((arg) =>
      arg.startsWith('/') ? containerFiles('demo-data').hostPath(arg) : arg,
    );
    const generated = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    assert.equal(generated.status, 0, `demo-data failed:\n${generated.stderr}`);

    for (const name of ['coordinator-1', 'coordinator-2']) {
      const { role, file } = localConfig(name);
      const service = new ServiceProcess(role, file, { logFile: join(scratch, `${name}.log`) });
      processes.set(name, service);
    }
    for (const name of ['coordinator-1', 'coordinator-2']) {
      const listening = await processes.get(name)!.ready;
      urls.set(name, `http://127.0.0.1:${listening.httpPort}`);
      grpcPorts.set(name, listening.grpcPort);
    }
    for (const name of ['edge-lake', 'edge-warehouse']) {
      const { role, file } = localConfig(name, `127.0.0.1:${grpcPorts.get('coordinator-1')}`);
      const edge = new ServiceProcess(role, file, { logFile: join(scratch, `${name}.log`) });
      processes.set(name, edge);
      const listening = await edge.ready;
      grpcPorts.set(name, listening.grpcPort);
      if (listening.httpPort) urls.set(name, `http://127.0.0.1:${listening.httpPort}`);
    }
    for (const name of ['edge-lake', 'edge-warehouse']) {
      await processes.get(name)!.waitFor((line) => line.msg === 'registered', 30_000);
    }
  });

  after(async () => {
    await Promise.all([...processes.values()].map((p) => p.stop()));
    await redis?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('both coordinators run side by side, each on its own store file in the shared volume', () => {
    const stores = ['coordinator-1', 'coordinator-2'].map((name) =>
      containerFiles(name).hostPath(`/var/lib/tributary/${name}.duckdb`),
    );
    for (const store of stores) assert.ok(existsSync(store), `${store} exists`);
    assert.notEqual(stores[0], stores[1]);
  });

  test('every probe path answers on both coordinators: edges registered with one are served by both', async () => {
    const paths = probePaths('coordinator');
    assert.ok(paths.includes('/health/live') && paths.includes('/health/ready'), paths.join(', '));
    for (const name of ['coordinator-1', 'coordinator-2']) {
      for (const path of paths) {
        // coordinator-2 learns of the edges through the registry in Redis, within a heartbeat.
        const status = await eventualStatus(`${urls.get(name)}${path}`, 200);
        assert.equal(status, 200, `GET ${path} on ${name}`);
      }
    }
  });

  test('every probe path answers on the edges once they have registered', async () => {
    const paths = probePaths('edge');
    assert.ok(paths.includes('/health/live') && paths.includes('/health/ready'), paths.join(', '));
    for (const name of ['edge-lake', 'edge-warehouse']) {
      assert.ok(urls.has(name), `${name} serves HTTP`);
      for (const path of paths) {
        const response = await fetch(`${urls.get(name)}${path}`);
        assert.equal(response.status, 200, `GET ${path} on ${name}`);
      }
    }
  });

  test('the bootstrap admin key from the environment queries both demo sources through either replica', async () => {
    for (const [sql, source, replica] of [
      ['SELECT count(*) AS n FROM lake.main.customers', 'lake', 'coordinator-1'],
      ['SELECT count(*) AS n FROM warehouse.main.products', 'warehouse', 'coordinator-1'],
      ['SELECT count(*) AS n FROM lake.main.orders', 'lake', 'coordinator-2'],
      ['SELECT count(*) AS n FROM warehouse.main.stores', 'warehouse', 'coordinator-2'],
    ] as const) {
      const response = await fetch(`${urls.get(replica)}/v1/query`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ sql }),
      });
      const body = (await response.json()) as { data: { n: number }[] };
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.ok((body.data[0]?.n ?? 0) > 0, `${source} has rows through ${replica}`);
    }
  });

  test('the container health probe passes and fails as the processes are', () => {
    const probe = (target: string) =>
      spawnSync(process.execPath, [HEALTHCHECK, target], { encoding: 'utf8' });
    assert.equal(probe(`${urls.get('coordinator-1')}/health/live`).status, 0);
    const missing = probe(`${urls.get('coordinator-2')}/health/nowhere`);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /answered 404/);
    assert.equal(probe(`tcp://127.0.0.1:${grpcPorts.get('edge-lake')}`).status, 0);
    assert.equal(probe(`${urls.get('edge-lake')}/health/live`).status, 0);
    const closed = probe('tcp://127.0.0.1:9');
    assert.equal(closed.status, 1);
    assert.equal(probe('ftp://127.0.0.1:21').status, 1);
  });

  test('every Prometheus scrape target of a Tributary process serves its metrics', async () => {
    const jobs = readYaml(join(COMPOSE_DIR, 'prometheus/prometheus.yml')).scrape_configs as {
      job_name: string;
      metrics_path?: string;
      static_configs: { targets: string[] }[];
    }[];
    const scraped = new Set<string>();
    for (const job of jobs) {
      for (const target of job.static_configs.flatMap((c) => c.targets)) {
        const host = target.split(':')[0] ?? '';
        const url = urls.get(host);
        if (!url) continue;
        const response = await fetch(`${url}${job.metrics_path ?? '/metrics'}`);
        assert.equal(response.status, 200, `${job.job_name}: ${target}`);
        const prefix = host.startsWith('edge') ? 'tributary_edge_queries_total' : 'tributary_queries_total';
        assert.match(
          await response.text(),
          new RegExp(`^# HELP ${prefix} `, 'm'),
          `${job.job_name}: ${target}`,
        );
        scraped.add(host);
      }
    }
    assert.deepEqual([...scraped].sort(), [...urls.keys()].sort(), 'every started process is scraped');
  });
});

/** The status a URL answers with once it answers `expected`, or the last one after a few heartbeats. */
async function eventualStatus(url: string, expected: number): Promise<number> {
  let status = 0;
  for (let attempt = 0; attempt < 50; attempt++) {
    status = (await fetch(url)).status;
    if (status === expected) return status;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return status;
}
