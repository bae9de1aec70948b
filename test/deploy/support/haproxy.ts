/**
 * The parts of an HAProxy configuration the deployment tests check: which
 * ports it binds, where each frontend sends traffic, which servers a backend
 * has, and the health-check request it sends them. `haproxy -c` (when
 * installed) checks the syntax; this reads the topology.
 */
import { spawnSync } from 'node:child_process';

export interface HaproxyServer {
  name: string;
  host: string;
  port: number;
  /** The port health checks go to (`check port N`), else the server's own. */
  checkPort: number;
  h2: boolean;
}

export interface HaproxyBackend {
  name: string;
  servers: HaproxyServer[];
  /** `option httpchk GET /path`. */
  checkPath?: string;
}

export interface HaproxyFrontend {
  name: string;
  ports: number[];
  h2: boolean;
  backend?: string;
}

export interface HaproxyConfig {
  frontends: HaproxyFrontend[];
  backends: HaproxyBackend[];
}

export function parseHaproxy(text: string): HaproxyConfig {
  const frontends: HaproxyFrontend[] = [];
  const backends: HaproxyBackend[] = [];
  let frontend: HaproxyFrontend | undefined;
  let backend: HaproxyBackend | undefined;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/#.*/, '').trim();
    if (!line) continue;
    const words = line.split(/\s+/);
    const [keyword = '', ...rest] = words;
    if (['global', 'defaults', 'resolvers', 'frontend', 'backend', 'listen'].includes(keyword)) {
      frontend = undefined;
      backend = undefined;
      if (keyword === 'frontend') {
        frontend = { name: rest[0] ?? '', ports: [], h2: false };
        frontends.push(frontend);
      }
      if (keyword === 'backend') {
        backend = { name: rest[0] ?? '', servers: [] };
        backends.push(backend);
      }
      continue;
    }
    if (frontend && keyword === 'bind') {
      frontend.ports.push(Number(rest[0]?.slice(rest[0].lastIndexOf(':') + 1)));
      if (line.includes('proto h2')) frontend.h2 = true;
    }
    if (frontend && keyword === 'default_backend') frontend.backend = rest[0];
    if (backend && keyword === 'option' && rest[0] === 'httpchk') backend.checkPath = rest.at(-1);
    if (backend && keyword === 'server') {
      const [name = '', address = ''] = rest;
      const colon = address.lastIndexOf(':');
      const port = Number(address.slice(colon + 1));
      const checkAt = rest.indexOf('port');
      backend.servers.push({
        name,
        host: address.slice(0, colon),
        port,
        checkPort: checkAt >= 0 ? Number(rest[checkAt + 1]) : port,
        h2: line.includes('proto h2'),
      });
    }
  }
  return { frontends, backends };
}

/** `haproxy -c -f <file>`: undefined when haproxy is not installed, else its verdict. */
export function haproxyCheck(file: string): { ok: boolean; output: string } | undefined {
  const result = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}
