import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { API_KEY_PREFIX, generateApiKey, hashApiKey } from '@tributary/coordinator';
import { TributaryError } from '@tributary/core';
import { stringify } from 'yaml';
import { generateSampleData, sampleQueries } from '../demo/sample-data.js';
import { ServiceProcess } from '../process/service-process.js';
import { untilSignal } from '../process/signals.js';

/** `${NAME}` in a configuration file: the value is read from the environment at load time. */
function envReference(name: string): string {
  return `\${${name}}`;
}

/**
 * Everything on one machine with embedded defaults: sample data, a
 * coordinator and one edge, each a real process configured by files written
 * here. The demo key comes from TRIBUTARY_API_KEY when set.
 */
export async function devCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      dir: { type: 'string', default: '.tributary' },
      scale: { type: 'string', default: '1' },
      'grpc-port': { type: 'string', default: process.env.TRIBUTARY_GRPC_PORT ?? '50051' },
      'http-port': { type: 'string', default: process.env.TRIBUTARY_HTTP_PORT ?? '8000' },
      'grpc-web-port': { type: 'string', default: process.env.TRIBUTARY_GRPC_WEB_PORT ?? '8001' },
      'mcp-port': { type: 'string', default: process.env.TRIBUTARY_MCP_PORT ?? '8002' },
      // The edge's /metrics and /health listener; 0 picks a free port, printed below.
      'edge-http-port': { type: 'string', default: process.env.TRIBUTARY_EDGE_HTTP_PORT ?? '0' },
      host: { type: 'string', default: process.env.TRIBUTARY_HOST ?? '127.0.0.1' },
    },
  });
  const dir = resolve(values.dir as string);
  const host = values.host as string;
  mkdirSync(join(dir, 'logs'), { recursive: true });

  process.stdout.write('Preparing sample data…\n');
  const data = await generateSampleData({ dir: join(dir, 'data'), scale: Number(values.scale) });

  const apiKey = process.env.TRIBUTARY_API_KEY || generateApiKey();
  if (!apiKey.startsWith(API_KEY_PREFIX) || apiKey.length < API_KEY_PREFIX.length + 16) {
    throw TributaryError.invalid(
      `TRIBUTARY_API_KEY must look like ${API_KEY_PREFIX}<at least 16 characters>`,
    );
  }
  const joinToken = randomBytes(24).toString('base64url');

  // Deny by default: the demo tenant starts with a policy that lets admins
  // and analysts read both sources, and masks customer e-mail addresses for
  // everyone but admins. Admins change it through AdminService.
  const policyFile = join(dir, 'policies.yaml');
  writeFileSync(
    policyFile,
    stringify({
      grants: ['admin', 'analyst'].flatMap((role) =>
        ['lake', 'warehouse'].map((source) => ({
          id: `${role}-reads-${source}`,
          effect: 'allow',
          to: { role },
          on: { source },
        })),
      ),
      masks: [
        {
          id: 'customer-email-domain',
          table: 'lake.main.customers',
          column: 'email',
          mask: { kind: 'email_domain' },
          unless: { roles: ['admin'] },
        },
      ],
    }),
  );
  // The console is served on the HTTP port and calls gRPC-Web from there:
  // that origin (by whichever loopback name the browser uses) may call it.
  const consoleOrigins = [...new Set([host, '127.0.0.1', 'localhost'])].map(
    (name) => `http://${name}:${values['http-port']}`,
  );
  const coordinatorConfig = join(dir, 'coordinator.yaml');
  writeFileSync(
    coordinatorConfig,
    stringify({
      tenant: 'demo',
      grpc: { listen: `${host}:${values['grpc-port']}` },
      http: { listen: `${host}:${values['http-port']}` },
      grpc_web: { listen: `${host}:${values['grpc-web-port']}`, allowed_origins: consoleOrigins },
      mcp: { listen: `${host}:${values['mcp-port']}` },
      auth: {
        api_keys: [{ id: 'demo', sha256: hashApiKey(apiKey), subject: 'demo-user', roles: ['admin'] }],
      },
      store: { path: join(dir, 'store.duckdb') },
      policies: { bootstrap_file: policyFile },
      // The join token stays out of the file: it is read from the environment.
      edges: {
        join_token: envReference('TRIBUTARY_JOIN_TOKEN'),
        heartbeat_interval_ms: 2000,
        expiry_ms: 6000,
      },
    }),
  );
  const env = { TRIBUTARY_JOIN_TOKEN: joinToken };
  const logs = join(dir, 'logs');
  const coordinator = new ServiceProcess('coordinator', coordinatorConfig, {
    env,
    logFile: join(logs, 'coordinator.log'),
  });
  const stopAll = async () => {
    await Promise.all(services.map((s) => s.stop()));
  };
  const services: ServiceProcess[] = [coordinator];
  try {
    const listening = await coordinator.ready;
    const edgeConfig = join(dir, 'edge.yaml');
    writeFileSync(
      edgeConfig,
      stringify({
        name: 'edge-1',
        listen: '127.0.0.1:0',
        http: { listen: `${host}:${values['edge-http-port']}` },
        coordinator: {
          address: `127.0.0.1:${listening.grpcPort}`,
          join_token: envReference('TRIBUTARY_JOIN_TOKEN'),
        },
        sources: [
          { name: 'lake', type: 'files', path: data.filesDir },
          { name: 'warehouse', type: 'duckdb', path: data.duckdbFile },
        ],
      }),
    );
    const edge = new ServiceProcess('edge', edgeConfig, { env, logFile: join(logs, 'edge.log') });
    services.push(edge);
    const edgeListening = await edge.ready;
    await edge.waitFor((line) => line.msg === 'registered');

    const example = sampleQueries()[0];
    process.stdout.write(
      [
        '',
        'Tributary is running.',
        `  gRPC      ${host}:${listening.grpcPort}   (CatalogService, QueryService)`,
        `  HTTP      http://${host}:${listening.httpPort}   (POST /v1/query, GET /v1/catalog/tables, /health)`,
        `  gRPC-Web  http://${host}:${listening.grpcWebPort}   (browsers)`,
        `  Console   http://${host === '127.0.0.1' ? 'localhost' : host}:${listening.httpPort}/console   (sign in with the API key below)`,
        `  MCP       http://${host}:${listening.mcpPort}/mcp   (AI assistants; send the API key as a bearer token)`,
        `  Metrics   http://${host}:${listening.httpPort}/metrics (coordinator), http://${host}:${edgeListening.httpPort}/metrics (edge-1)`,
        `  Health    http://${host}:${listening.httpPort}/health/ready, http://${host}:${edgeListening.httpPort}/health/ready`,
        '  Sources   lake (Parquet/CSV/JSON files), warehouse (DuckDB file)',
        `  Logs      ${logs}`,
        '',
        `  export TRIBUTARY_API_KEY=${apiKey}`,
        `  export TRIBUTARY_SERVER=${host}:${listening.grpcPort}`,
        '',
        'Try:',
        `  curl -s http://${host}:${listening.httpPort}/v1/query -H "x-api-key: $TRIBUTARY_API_KEY" \\`,
        `       -H 'content-type: application/json' -d '{"sql": "SELECT count(*) AS customers FROM lake.main.customers"}'`,
        `  npx tributary query "${example?.sql.replace(/\s+/g, ' ') ?? 'SELECT 1'}"`,
        '',
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
    const exit = Promise.race(
      services.map((s) => new Promise<string>((r) => s.child.once('exit', () => r(`${s.role} exited`)))),
    );
    const reason = await Promise.race([untilSignal(), exit]);
    process.stdout.write(`\nStopping (${reason})…\n`);
    await stopAll();
    return 0;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
