/**
 * deploy/kubernetes: each overlay as kustomize builds it, every object
 * validated against the Kubernetes API schema, and the Tributary containers
 * checked against the code — ports, probe paths, configuration (from the
 * generated ConfigMaps, with the environment each container gets) and the
 * Services that tie coordinators, edges and Redis together.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { byNumber, type Json, KUBERNETES_DIR, kustomize, portOf } from './support/deploy-files.js';
import { validateKubernetesObject } from './support/kubernetes-schema.js';
import {
  coordinatorDefaultPorts,
  coordinatorPorts,
  edgePorts,
  type LoadedConfig,
  loadProcessConfig,
  processCommand,
} from './support/process-configs.js';

/** The keys of Secret `tributary-secrets` that deploy/README.md tells operators to create, with stand-in values. */
const SECRET_VALUES: Record<string, string> = {
  'join-token': 'a-join-token-of-at-least-16-characters',
  'admin-key-sha256': 'ab'.repeat(32),
};
const FIELD_VALUES: Record<string, string> = {
  'metadata.name': 'tributary-pod-0',
  'metadata.namespace': 'tributary',
  'status.podIP': '10.1.2.3',
};
const WELL_KNOWN_IMAGES = ['redis'];
const BUILT_IMAGES: Record<string, string> = {
  'tributary/coordinator': 'coordinator',
  'tributary/edge': 'edge',
};

interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } };
  }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    runAsNonRoot?: boolean;
  };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
  exec?: { command: string[] };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  volumes?: { name: string; configMap?: { name: string } }[];
}
interface Workload extends Json {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}
interface Service extends Json {
  metadata: { name: string };
  spec: {
    selector: Record<string, string>;
    publishNotReadyAddresses?: boolean;
    clusterIP?: string;
    ports: { name: string; port: number; targetPort: string | number }[];
  };
}

const scratch = mkdtempSync(join(tmpdir(), 'tributary-k8s-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const overlays = {
  demo: kustomize(join(KUBERNETES_DIR, 'overlays/demo')),
  'edge-daemonset': kustomize(join(KUBERNETES_DIR, 'overlays/edge-daemonset')),
};

function objects(overlay: keyof typeof overlays, kind?: string): Json[] {
  const built = overlays[overlay];
  assert.ok(built);
  return kind ? built.filter((o) => o.kind === kind) : built;
}

function workload(overlay: keyof typeof overlays, kind: string, name: string): Workload {
  const found = objects(overlay, kind).find((o) => (o as Workload).metadata.name === name);
  assert.ok(found, `${overlay} has ${kind} ${name}`);
  return found as Workload;
}

function services(overlay: keyof typeof overlays): Service[] {
  return objects(overlay, 'Service') as Service[];
}

function containerEnv(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    const field = variable.valueFrom?.fieldRef?.fieldPath;
    if (field) {
      assert.ok(field in FIELD_VALUES, `${variable.name}: field ${field} has a stand-in here`);
      env[variable.name] = FIELD_VALUES[field] as string;
    }
    const secret = variable.valueFrom?.secretKeyRef;
    if (secret) {
      assert.equal(secret.name, 'tributary-secrets', `${variable.name} reads Secret tributary-secrets`);
      assert.ok(
        secret.key in SECRET_VALUES,
        `${variable.name}: key ${secret.key} is one deploy/README.md names`,
      );
      env[variable.name] = SECRET_VALUES[secret.key] as string;
    }
  }
  return env;
}

/** The container's configuration, from the ConfigMap mounted where its command line looks. */
function containerConfig(overlay: keyof typeof overlays, pod: PodSpec, container: Container): LoadedConfig {
  const command = processCommand(container.args ?? []);
  assert.ok(command, `${container.name} runs tributary coordinator|edge --config <file>`);
  const root = join(scratch, overlay, container.name);
  let mounted = false;
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes?.find((v) => v.name === mount.name);
    if (!volume?.configMap) continue;
    const configMap = objects(overlay, 'ConfigMap').find(
      (o) => (o.metadata as { name: string }).name === volume.configMap?.name,
    ) as { data: Record<string, string> } | undefined;
    assert.ok(configMap, `ConfigMap ${volume.configMap.name} exists`);
    assert.ok(mount.readOnly, `${container.name}: configuration is mounted read-only`);
    for (const [key, text] of Object.entries(configMap.data)) {
      const file = join(root, mount.mountPath, key);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      if (join(mount.mountPath, key) === command.configPath) mounted = true;
    }
  }
  assert.ok(mounted, `${container.name}: ${command.configPath} comes from a ConfigMap`);
  return loadProcessConfig(root, command, containerEnv(container));
}

function probePort(container: Container, port: string | number): number {
  if (typeof port === 'number') return port;
  const found = container.ports?.find((p) => p.name === port);
  assert.ok(found, `${container.name} has a port named ${port}`);
  return found.containerPort;
}

function assertHardened(pod: PodSpec, container: Container): void {
  const nonRoot = container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
  assert.equal(nonRoot, true, `${container.name} runs as non-root`);
  assert.equal(container.securityContext?.readOnlyRootFilesystem, true, `${container.name}: read-only root`);
  assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
  assert.ok(
    container.resources?.requests?.cpu && container.resources.requests.memory,
    `${container.name} requests`,
  );
  assert.ok(container.resources?.limits?.memory, `${container.name} has a memory limit`);
}

function selects(service: Service, labels: Record<string, string>): boolean {
  return Object.entries(service.spec.selector).every(([key, value]) => labels[key] === value);
}

describe('Kubernetes manifests', { skip: overlays.demo ? false : 'kubectl is not installed' }, () => {
  for (const overlay of Object.keys(overlays) as (keyof typeof overlays)[]) {
    test(`${overlay}: every object is valid against the Kubernetes API schema`, () => {
      for (const object of objects(overlay)) validateKubernetesObject(object);
    });

    test(`${overlay}: images are built by the Dockerfile or well known and pinned`, () => {
      for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet']) {
        for (const found of objects(overlay, kind) as Workload[]) {
          const pod = found.spec.template.spec;
          for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
            const [repository = '', tag] = container.image.split(':');
            assert.ok(
              repository in BUILT_IMAGES || WELL_KNOWN_IMAGES.includes(repository),
              `${container.image} is neither built here nor well known`,
            );
            assert.ok(tag && tag !== 'latest', `${container.image} is pinned`);
            assertHardened(pod, container);
            if (repository in BUILT_IMAGES) {
              const role = processCommand(container.args ?? [])?.role;
              if (role)
                assert.equal(BUILT_IMAGES[repository], role, `${container.name} runs its image's role`);
            }
          }
        }
      }
    });
  }

  describe('coordinator', () => {
    const deployment = workload('demo', 'Deployment', 'tributary-coordinator');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0]!;

    test('runs two replicas with the readiness and liveness routes of the HTTP app', () => {
      assert.equal(deployment.spec.replicas, 2);
      // Paths are requested from a running coordinator in stack.test.ts.
      assert.equal(container.readinessProbe?.httpGet?.path, '/health/ready');
      assert.equal(container.livenessProbe?.httpGet?.path, '/health/live');
      for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
        if (probe?.httpGet) {
          assert.equal(probePort(container, probe.httpGet.port), coordinatorDefaultPorts().http);
        }
      }
    });

    test('its configuration loads, with the ports the container declares', () => {
      const loaded = containerConfig('demo', pod, container);
      assert.equal(loaded.role, 'coordinator');
      const ports = coordinatorPorts(loaded.config);
      assert.deepEqual(ports, coordinatorDefaultPorts());
      assert.deepEqual(
        (container.ports ?? []).map((p) => p.containerPort).sort(byNumber),
        Object.values(ports).sort(byNumber),
      );
      assert.match(loaded.config.store.path, /^\/var\/lib\/tributary\/tributary-pod-0\.duckdb$/);
      const writable = container.volumeMounts?.find((m) =>
        loaded.config.store.path.startsWith(`${m.mountPath}/`),
      );
      assert.ok(writable && !writable.readOnly, 'the store is on a writable volume');
    });

    test('Services route every protocol to the named container ports; edges register without readiness', () => {
      const coordinatorServices = services('demo').filter((s) =>
        selects(s, deployment.spec.template.metadata.labels),
      );
      const client = coordinatorServices.find((s) => !s.spec.publishNotReadyAddresses);
      assert.ok(client, 'a client Service');
      assert.deepEqual(
        client.spec.ports.map((p) => probePort(container, p.targetPort)).sort(byNumber),
        Object.values(coordinatorDefaultPorts()).sort(byNumber),
      );
      for (const port of client.spec.ports) assert.equal(port.port, probePort(container, port.targetPort));
      const edge = workload('demo', 'StatefulSet', 'tributary-edge');
      const edgeLoaded = containerConfig(
        'demo',
        edge.spec.template.spec,
        edge.spec.template.spec.containers[0]!,
      );
      assert.equal(edgeLoaded.role, 'edge');
      const [host] = edgeLoaded.config.coordinator.address.split(':');
      const registry = coordinatorServices.find((s) => s.metadata.name === host);
      assert.ok(registry, `edges dial ${host}, a coordinator Service`);
      assert.equal(
        registry.spec.publishNotReadyAddresses,
        true,
        'a coordinator is ready only after edges register',
      );
      const port = registry.spec.ports.find((p) => p.port === portOf(edgeLoaded.config.coordinator.address));
      assert.ok(port && probePort(container, port.targetPort) === coordinatorDefaultPorts().grpc);
    });

    test('a PodDisruptionBudget and a HorizontalPodAutoscaler cover the Deployment', () => {
      const pdb = objects('demo', 'PodDisruptionBudget')[0] as {
        spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } };
      };
      assert.deepEqual(pdb.spec.selector.matchLabels, deployment.spec.selector.matchLabels);
      assert.ok(pdb.spec.minAvailable >= 1);
      const hpa = objects('demo', 'HorizontalPodAutoscaler')[0] as {
        spec: { minReplicas: number; scaleTargetRef: { kind: string; name: string } };
      };
      assert.deepEqual(hpa.spec.scaleTargetRef, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: deployment.metadata.name,
      });
      assert.ok(hpa.spec.minReplicas >= 2);
    });

    test('redis.url (from REDIS_URL) names the Redis Service', () => {
      const loaded = containerConfig('demo', pod, container);
      assert.equal(loaded.role, 'coordinator');
      const url = new URL(loaded.config.redis?.url ?? '');
      const redis = services('demo').find((s) => s.metadata.name === url.hostname);
      assert.ok(redis, `${url.hostname} is a Service`);
      assert.ok(redis.spec.ports.some((p) => p.port === Number(url.port)));
      const redisSet = workload('demo', 'StatefulSet', 'tributary-redis');
      assert.ok(selects(redis, redisSet.spec.template.metadata.labels));
    });
  });

  describe('edges', () => {
    for (const [overlay, kind] of [
      ['demo', 'StatefulSet'],
      ['edge-daemonset', 'DaemonSet'],
    ] as const) {
      test(`${overlay}: edges run as a ${kind} whose configuration loads and whose probes use its ports`, () => {
        const edge = workload(overlay, kind, 'tributary-edge');
        const pod = edge.spec.template.spec;
        const container = pod.containers[0]!;
        const loaded = containerConfig(overlay, pod, container);
        assert.equal(loaded.role, 'edge');
        const ports = Object.values(edgePorts(loaded.config)).sort(byNumber);
        assert.deepEqual((container.ports ?? []).map((p) => p.containerPort).sort(byNumber), ports);
        // Paths are requested from running edges in stack.test.ts.
        assert.equal(container.readinessProbe?.httpGet?.path, '/health/ready');
        assert.equal(container.livenessProbe?.httpGet?.path, '/health/live');
        for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
          const port = probe?.httpGet?.port;
          assert.ok(port !== undefined, `${container.name} has its probes`);
          assert.equal(
            probePort(container, port),
            edgePorts(loaded.config).http,
            'probes use the http listener',
          );
        }
        for (const source of loaded.raw.sources as { path: string }[]) {
          const mount = container.volumeMounts?.find((m) => source.path.startsWith(`${m.mountPath}/`));
          assert.ok(mount?.readOnly, `${source.path} is on a read-only data mount`);
        }
        const otherKind = kind === 'StatefulSet' ? 'DaemonSet' : 'StatefulSet';
        assert.ok(
          !objects(overlay, otherKind).some((o) => (o as Workload).metadata.name === 'tributary-edge'),
          `${overlay} runs edges one way only`,
        );
      });
    }
  });
});
