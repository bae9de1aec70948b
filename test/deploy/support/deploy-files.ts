/**
 * Reading the deployment files under deploy/ the way their tools do: compose
 * interpolation and YAML merge keys, the Dockerfile's instructions, kustomize
 * output, and each process's configuration file as the container would see
 * it, so tests can check them against the code without a container engine.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';
import { parse, parseAllDocuments } from 'yaml';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEPLOY = join(ROOT, 'deploy');
export const COMPOSE_DIR = join(DEPLOY, 'compose');
export const COMPOSE_FILE = join(COMPOSE_DIR, 'docker-compose.yml');
export const DOCKERFILE = join(DEPLOY, 'docker/Dockerfile');
export const KUBERNETES_DIR = join(DEPLOY, 'kubernetes');
export const DASHBOARD_FILE = join(DEPLOY, 'grafana/tributary.json');

export type Json = Record<string, unknown>;

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** YAML with `<<` merge keys, as docker compose reads it. */
export function readYaml(path: string): Json {
  return parse(readText(path), { merge: true }) as Json;
}

export function readYamlDocuments(text: string): Json[] {
  return parseAllDocuments(text, { merge: true })
    .map((doc) => doc.toJS() as Json | null)
    .filter((doc): doc is Json => doc !== null);
}

/** host:port → port. */
export function portOf(address: string): number {
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  if (!Number.isInteger(port)) throw new Error(`no port in ${address}`);
  return port;
}

// ------------------------------------------------------------------ compose

/**
 * Compose's variable substitution: `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?message}`, `${VAR?message}`, `$VAR` and `$$` for a literal `$`.
 * Written here because compose itself is not installed; unknown forms throw.
 */
export function interpolateCompose(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced?: string, op?: string, arg?: string, bare?: string) => {
      if (match === '$$') return '$';
      const name = (braced ?? bare) as string;
      const value = env[name];
      const unset = value === undefined || (op?.startsWith(':') && value === '');
      if (!unset) return value as string;
      if (op === ':-' || op === '-') return arg ?? '';
      if (op === ':?' || op === '?') throw new Error(`compose: ${name} is required: ${arg}`);
      return '';
    },
  );
}

/** KEY=value lines of an env file (comments and blanks skipped). */
export function readEnvFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readText(path).split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq > 0) env[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return env;
}

export interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; target?: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: (string | { type?: string; source?: string; target: string; read_only?: boolean })[];
  ports?: (string | number)[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] | string };
  hostname?: string;
}

export interface ComposeProject {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/**
 * The compose file as compose resolves it, with `.env.example` as the
 * environment. Like compose, it parses first and substitutes inside string
 * values, so a substituted value is never re-read as a number.
 */
export function composeProject(env: Record<string, string> = readEnvFile(join(COMPOSE_DIR, '.env.example'))) {
  const substitute = (value: unknown): unknown => {
    if (typeof value === 'string') return interpolateCompose(value, env);
    if (Array.isArray(value)) return value.map(substitute);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item)]));
    }
    return value;
  };
  return substitute(readYaml(COMPOSE_FILE)) as ComposeProject;
}

export function serviceEnvironment(service: ComposeService): Record<string, string> {
  const env: Record<string, string> = {};
  if (Array.isArray(service.environment)) {
    for (const entry of service.environment) {
      const eq = entry.indexOf('=');
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  } else {
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      if (value !== null) env[key] = String(value);
    }
  }
  return env;
}

export interface Mount {
  /** A path in the repository for bind mounts, the volume name otherwise. */
  source: string;
  target: string;
  bind: boolean;
  readOnly: boolean;
}

export function serviceMounts(service: ComposeService): Mount[] {
  return (service.volumes ?? []).map((volume) => {
    if (typeof volume === 'string') {
      const [source = '', target = '', mode = ''] = volume.split(':');
      const bind = source.startsWith('.') || source.startsWith('/');
      return {
        source: bind ? join(COMPOSE_DIR, source) : source,
        target,
        bind,
        readOnly: mode.split(',').includes('ro'),
      };
    }
    const bind = volume.type === 'bind';
    return {
      source: bind ? join(COMPOSE_DIR, volume.source ?? '') : (volume.source ?? ''),
      target: volume.target,
      bind,
      readOnly: Boolean(volume.read_only),
    };
  });
}

// ------------------------------------------------------------------ Dockerfile

export interface DockerStage {
  name: string;
  /** Image or earlier stage it starts from, ARG defaults substituted. */
  from: string;
  instructions: { keyword: string; args: string[]; flags: Record<string, string>; line: number }[];
}

export function dockerfileStages(path = DOCKERFILE): DockerStage[] {
  const dockerfile = DockerfileParser.parse(readText(path));
  const argDefaults = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    const value = property?.getValue();
    if (property && value) argDefaults.set(property.getName(), value);
  }
  const substitute = (text: string) =>
    text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (m, name: string) => argDefaults.get(name) ?? m);
  const stages: DockerStage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const args = instruction.getArguments().map((a) => a.getValue());
    const flags: Record<string, string> = {};
    const withFlags = instruction as unknown as {
      getFlags?: () => { getName(): string; getValue(): string | null }[];
    };
    for (const flag of withFlags.getFlags?.() ?? []) flags[flag.getName()] = flag.getValue() ?? '';
    const line = instruction.getRange().start.line + 1;
    if (keyword === 'FROM') {
      const name = args[2] ?? `stage-${stages.length}`;
      stages.push({ name, from: substitute(args[0] ?? ''), instructions: [] });
      continue;
    }
    stages.at(-1)?.instructions.push({ keyword, args, flags, line });
  }
  return stages;
}

/** Instructions of a stage and every stage it is built FROM, oldest first. */
export function stageChain(stages: DockerStage[], name: string): DockerStage[] {
  const stage = stages.find((s) => s.name === name);
  if (!stage) throw new Error(`Dockerfile has no stage ${name}`);
  const parent = stages.find((s) => s.name === stage.from);
  return parent ? [...stageChain(stages, parent.name), stage] : [stage];
}

/** The last value of an exec-form instruction (CMD, ENTRYPOINT, HEALTHCHECK CMD) along a stage chain. */
export function execForm(stages: DockerStage[], target: string, keyword: string): string[] | undefined {
  const found = stageChain(stages, target)
    .flatMap((s) => s.instructions)
    .filter((i) => i.keyword === keyword)
    .at(-1);
  if (!found) return undefined;
  const text = found.args.join(' ');
  return JSON.parse(keyword === 'HEALTHCHECK' ? text.replace(/^CMD\s+/, '') : text) as string[];
}

export function exposedPorts(stages: DockerStage[], target: string): number[] {
  return stageChain(stages, target)
    .flatMap((s) => s.instructions)
    .filter((i) => i.keyword === 'EXPOSE')
    .flatMap((i) => i.args.map((a) => Number(a.split('/')[0])));
}

// ------------------------------------------------------------------ kustomize

/** `kubectl kustomize <dir>`; undefined when kubectl is not installed. */
export function kustomize(dir: string): Json[] | undefined {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr}`);
  return readYamlDocuments(result.stdout);
}

// ------------------------------------------------------------------ container file systems

/**
 * Builds a container's view of its bind-mounted files under `root`, so a
 * configuration file and whatever it refers to (a policy file beside it) sit
 * where the process will look for them.
 */
export function materializeMounts(root: string, mounts: { source: string; target: string }[]): void {
  for (const mount of mounts) {
    const destination = join(root, mount.target);
    mkdirSync(dirname(destination), { recursive: true });
    cpSync(mount.source, destination, { recursive: statSync(mount.source).isDirectory() });
  }
}

/** Maps an absolute container path onto the directory standing in for the container's root. */
export function onHost(root: string, containerPath: string): string {
  return join(root, posix.normalize(containerPath));
}

export function repoPath(path: string): string {
  return relative(ROOT, path);
}

export function exists(path: string): boolean {
  return existsSync(path);
}

/** Numeric order for Array.prototype.sort. */
export function byNumber(a: number, b: number): number {
  return a - b;
}
