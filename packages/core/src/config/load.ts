import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Replaces `${NAME}` and `${NAME:-default}` with environment values, so
 * secrets can stay out of configuration files.
 */
export function interpolateEnv(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/gi, (_, name: string, fallback?: string) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(`environment variable ${name} is referenced by the configuration but not set`);
  });
}

/** Reads a YAML file, interpolates the environment and validates it against a schema. */
export function loadConfigFile<S extends z.ZodType>(path: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read configuration ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parse(interpolateEnv(text));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`configuration ${path} is not valid YAML: ${(error as Error).message}`);
  }
  return validateConfig(raw ?? {}, schema, path);
}

export function validateConfig<S extends z.ZodType>(raw: unknown, schema: S, origin: string): z.output<S> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('\n');
    throw new ConfigError(`invalid configuration ${origin}:\n${problems}`);
  }
  return result.data;
}

/** Resolves a path from a configuration file relative to that file. */
export function resolveFrom(configPath: string, path: string): string {
  return isAbsolute(path) ? path : resolve(dirname(configPath), path);
}
