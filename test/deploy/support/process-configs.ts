/**
 * A Tributary process's configuration as a container sees it: which file its
 * command line names, the environment it is given, and the result of the
 * real loader and schema after `${VAR}` substitution.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  type CoordinatorConfig,
  coordinatorConfigSchema,
  loadCoordinatorConfig,
} from '@tributary/coordinator';
import { interpolateEnv } from '@tributary/core';
import { type EdgeConfig, edgeConfigSchema, loadEdgeConfig } from '@tributary/edge';
import { parse } from 'yaml';
import { type Json, onHost, portOf } from './deploy-files.js';

export type Role = 'coordinator' | 'edge';

/** What the CLI runs for `tributary <role> --config <path>`. */
export interface ProcessCommand {
  role: Role;
  configPath: string;
}

export function processCommand(args: readonly string[]): ProcessCommand | undefined {
  const [role] = args;
  if (role !== 'coordinator' && role !== 'edge') return undefined;
  const at = args.indexOf('--config');
  const configPath = at >= 0 ? args[at + 1] : undefined;
  if (!configPath) throw new Error(`tributary ${role} needs --config <file>: got ${args.join(' ')}`);
  return { role, configPath };
}

/** Ports of the coordinator's defaults, straight from its schema. */
export function coordinatorDefaultPorts(): Record<'grpc' | 'http' | 'grpc_web' | 'mcp', number> {
  const defaults = coordinatorConfigSchema.parse({
    auth: {},
    edges: { join_token: 'x'.repeat(16) },
    grpc_web: {},
  });
  return {
    grpc: portOf(defaults.grpc.listen),
    http: portOf(defaults.http.listen),
    grpc_web: portOf(defaults.grpc_web?.listen ?? ''),
    mcp: portOf(defaults.mcp.listen),
  };
}

/** The edge's default EdgeService port, from its schema. */
export function edgeDefaultPort(): number {
  const defaults = edgeConfigSchema.parse({
    name: 'e',
    coordinator: { address: 'c:1', join_token: 'x'.repeat(16) },
    sources: [{ name: 's', type: 'files', path: '.' }],
  });
  return portOf(defaults.listen);
}

/**
 * Keys present in a raw configuration that the schema dropped: a misspelt or
 * misplaced setting would otherwise be ignored without a word, since the
 * schemas accept unknown keys.
 */
export function unknownKeys(raw: unknown, parsed: unknown, path = ''): string[] {
  if (Array.isArray(raw) && Array.isArray(parsed)) {
    return raw.flatMap((item, i) => unknownKeys(item, parsed[i], `${path}[${i}]`));
  }
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const out = (parsed && typeof parsed === 'object' ? parsed : {}) as Json;
    return Object.entries(raw as Json).flatMap(([key, value]) =>
      key in out
        ? unknownKeys(value, out[key], path ? `${path}.${key}` : key)
        : [path ? `${path}.${key}` : key],
    );
  }
  return [];
}

export type LoadedConfig =
  | { role: 'coordinator'; config: CoordinatorConfig; raw: Json; file: string }
  | { role: 'edge'; config: EdgeConfig; raw: Json; file: string };

/**
 * Loads the configuration a process would read, inside a directory standing
 * in for the container's root (its mounts already in place): substitutes the
 * container's environment exactly as the process does (a variable it lacks
 * is an error), writes the result back, and runs the real loader. Throws
 * with the loader's message, or names the keys the schema does not know.
 */
export function loadProcessConfig(
  root: string,
  command: ProcessCommand,
  env: Record<string, string>,
): LoadedConfig {
  const file = onHost(root, command.configPath);
  const text = interpolateEnv(readFileSync(file, 'utf8'), env);
  writeFileSync(file, text);
  const raw = (parse(text) ?? {}) as Json;
  const loaded: LoadedConfig =
    command.role === 'coordinator'
      ? { role: 'coordinator', config: loadCoordinatorConfig(file), raw, file }
      : { role: 'edge', config: loadEdgeConfig(file), raw, file };
  const schema = command.role === 'coordinator' ? coordinatorConfigSchema : edgeConfigSchema;
  const unknown = unknownKeys(raw, schema.parse(raw));
  if (unknown.length > 0) {
    throw new Error(`${command.configPath}: keys the ${command.role} does not know: ${unknown.join(', ')}`);
  }
  return loaded;
}

/** Every port a coordinator configuration listens on, by name. */
export function coordinatorPorts(config: CoordinatorConfig): Record<string, number> {
  const ports: Record<string, number> = {
    grpc: portOf(config.grpc.listen),
    http: portOf(config.http.listen),
    mcp: portOf(config.mcp.listen),
  };
  if (config.grpc_web) ports.grpc_web = portOf(config.grpc_web.listen);
  return ports;
}

/** Every port an edge configuration listens on, by name. */
export function edgePorts(config: EdgeConfig): Record<string, number> {
  const ports: Record<string, number> = { grpc: portOf(config.listen) };
  const http = (config as { http?: { listen: string } }).http;
  if (http) ports.http = portOf(http.listen);
  return ports;
}
