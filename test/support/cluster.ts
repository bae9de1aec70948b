import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceProcess } from '@tributary/cli';
import { type ClientOptions, TributaryClient } from '@tributary/client';
import { generateApiKey, hashApiKey } from '@tributary/coordinator';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { stringify } from 'yaml';

/**
 * One edge. Several specs naming the same sources (same paths) make replicas
 * of those sources.
 */
export interface EdgeSpec {
  name: string;
  sources: Record<string, unknown>[];
  /** Engine settings merged over the defaults. */
  engine?: Record<string, unknown>;
  /** How long the edge lets running queries finish on SIGTERM. */
  shutdownGraceMs?: number;
  /** Further edge settings, e.g. `discovery_retry`. */
  settings?: Record<string, unknown>;
}

export interface ClusterOptions {
  edges: EdgeSpec[];
  /** Extra coordinator settings merged over the defaults. */
  coordinator?: Record<string, unknown>;
  heartbeatIntervalMs?: number;
  /** Heartbeat silence after which the coordinator drops an edge; three intervals by default. */
  expiryMs?: number;
  /**
   * The tenant's first policy document. By default role `analyst` (the test
   * key's role) may read every source the edges serve.
   */
  policies?: Record<string, unknown>;
  /** Extra environment for every process, e.g. `{ TRIBUTARY_LOG_LEVEL: 'debug' }`. */
  env?: NodeJS.ProcessEnv;
}

/** Where one coordinator process listens. */
export interface CoordinatorEndpoints {
  process: ServiceProcess;
  grpcAddress: string;
  httpUrl: string;
  mcpUrl: string;
}

export interface JwtIssuer {
  issuer: string;
  audience: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  kid: string;
}

/**
 * A real coordinator and real edges, each its own process started through the
 * CLI with generated configuration files, on ephemeral loopback ports.
 */
export class Cluster {
  readonly dir: string;
  readonly apiKey = generateApiKey();
  readonly joinToken = randomBytes(24).toString('base64url');
  coordinator!: ServiceProcess;
  readonly edges = new Map<string, ServiceProcess>();
  /** Each edge's metrics and health endpoint, e.g. `http://127.0.0.1:41234`. */
  readonly edgeHttpUrls = new Map<string, string>();
  grpcAddress = '';
  httpUrl = '';
  grpcWebUrl = '';
  /** The MCP endpoint (Streamable HTTP). */
  mcpUrl = '';
  jwt!: JwtIssuer;
  private readonly clients: TributaryClient[] = [];
  /** Coordinators added with addCoordinator(): same configuration, own store, shared Redis if configured. */
  readonly replicas: CoordinatorEndpoints[] = [];

  private constructor(private readonly options: ClusterOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'tributary-e2e-'));
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    const cluster = new Cluster(options);
    try {
      await cluster.boot();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  private async boot(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const kid = 'test-key-1';
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    const jwksFile = join(this.dir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
    this.jwt = { issuer: 'https://idp.test', audience: 'tributary', privateKey, kid };

    const interval = this.options.heartbeatIntervalMs ?? 500;
    const sources = [...new Set(this.options.edges.flatMap((e) => e.sources.map((s) => String(s.name))))];
    const policies = this.options.policies ?? {
      grants: sources.map((source) => ({
        id: `analysts-read-${source}`,
        effect: 'allow',
        to: { role: 'analyst' },
        on: { source },
      })),
    };
    const policyFile = join(this.dir, 'policies.json');
    writeFileSync(policyFile, JSON.stringify(policies));
    const config = {
      tenant: 'acme',
      grpc: { listen: '127.0.0.1:0' },
      http: { listen: '127.0.0.1:0' },
      mcp: { listen: '127.0.0.1:0' },
      grpc_web: { listen: '127.0.0.1:0' },
      auth: {
        api_keys: [{ id: 'test', sha256: hashApiKey(this.apiKey), subject: 'tester', roles: ['analyst'] }],
        jwt: {
          jwks_file: jwksFile,
          issuer: this.jwt.issuer,
          audience: this.jwt.audience,
          algorithms: ['RS256'],
        },
      },
      edges: {
        join_token: this.joinToken,
        heartbeat_interval_ms: interval,
        expiry_ms: this.options.expiryMs ?? interval * 3,
      },
      policies: { bootstrap_file: policyFile },
      ...this.options.coordinator,
    };
    this.coordinatorConfig = config;
    await this.launchCoordinator();
    await Promise.all(this.options.edges.map((edge) => this.startEdge(edge)));
  }

  private coordinatorConfig: Record<string, unknown> = {};

  private async launchCoordinator(): Promise<void> {
    const path = join(this.dir, 'coordinator.yaml');
    writeFileSync(path, stringify(this.coordinatorConfig));
    this.coordinator = new ServiceProcess('coordinator', path, {
      logFile: join(this.dir, 'coordinator.log'),
      env: this.options.env,
    });
    const listening = await this.coordinator.ready;
    this.grpcAddress = `127.0.0.1:${listening.grpcPort}`;
    this.httpUrl = `http://127.0.0.1:${listening.httpPort}`;
    this.grpcWebUrl = `http://127.0.0.1:${listening.grpcWebPort}`;
    this.mcpUrl = `http://127.0.0.1:${listening.mcpPort}/mcp`;
    // A restart listens where the edges and clients already point.
    this.coordinatorConfig = {
      ...this.coordinatorConfig,
      grpc: { listen: this.grpcAddress },
      http: { listen: `127.0.0.1:${listening.httpPort}` },
      mcp: { listen: `127.0.0.1:${listening.mcpPort}` },
      grpc_web: { listen: `127.0.0.1:${listening.grpcWebPort}` },
    };
  }

  /**
   * Stops the coordinator (SIGTERM and its drain, or SIGKILL when `crash`)
   * and starts a new one on the same ports, with an empty registry: the
   * edges must find it on their own.
   */
  async restartCoordinator(options: { crash?: boolean } = {}): Promise<void> {
    if (options.crash) {
      const exited = new Promise<void>((resolve) => this.coordinator.child.once('exit', () => resolve()));
      this.coordinator.kill();
      await exited;
    } else {
      await this.coordinator.stop();
    }
    await this.launchCoordinator();
  }

  /**
   * Starts another coordinator with the same configuration: the same
   * credentials, join token, policies and (when configured) Redis, on ports
   * of its own, with a store of its own. Edges keep heartbeating to the
   * first coordinator.
   */
  async addCoordinator(): Promise<CoordinatorEndpoints> {
    const index = this.replicas.length + 2;
    const path = join(this.dir, `coordinator-${index}.yaml`);
    writeFileSync(
      path,
      stringify({
        ...this.coordinatorConfig,
        grpc: { listen: '127.0.0.1:0' },
        http: { listen: '127.0.0.1:0' },
        mcp: { listen: '127.0.0.1:0' },
        grpc_web: { listen: '127.0.0.1:0' },
      }),
    );
    const process = new ServiceProcess('coordinator', path, {
      logFile: join(this.dir, `coordinator-${index}.log`),
      env: this.options.env,
    });
    const endpoints: CoordinatorEndpoints = { process, grpcAddress: '', httpUrl: '', mcpUrl: '' };
    this.replicas.push(endpoints);
    const listening = await process.ready;
    endpoints.grpcAddress = `127.0.0.1:${listening.grpcPort}`;
    endpoints.httpUrl = `http://127.0.0.1:${listening.httpPort}`;
    endpoints.mcpUrl = `http://127.0.0.1:${listening.mcpPort}/mcp`;
    return endpoints;
  }

  /** Starts an edge; resolves once it registered, unless `registered: false` (e.g. it is meant to be refused). */
  async startEdge(spec: EdgeSpec, options: { registered?: boolean } = {}): Promise<ServiceProcess> {
    const path = join(this.dir, `${spec.name}.yaml`);
    writeFileSync(
      path,
      stringify({
        name: spec.name,
        listen: '127.0.0.1:0',
        coordinator: { address: this.grpcAddress, join_token: this.joinToken },
        sources: spec.sources,
        http: { listen: '127.0.0.1:0' },
        engine: {
          memory_limit: '512MB',
          query_timeout_ms: 60_000,
          max_concurrent_queries: 4,
          ...spec.engine,
        },
        ...(spec.shutdownGraceMs === undefined ? {} : { shutdown_grace_ms: spec.shutdownGraceMs }),
        ...spec.settings,
      }),
    );
    const edge = new ServiceProcess('edge', path, {
      logFile: join(this.dir, `${spec.name}.log`),
      env: this.options.env,
    });
    this.edges.set(spec.name, edge);
    const listening = await edge.ready;
    this.edgeHttpUrls.set(spec.name, `http://127.0.0.1:${listening.httpPort}`);
    if (options.registered !== false) await edge.waitFor((line) => line.msg === 'registered', 30_000);
    return edge;
  }

  client(
    credentials: { apiKey?: string; token?: string } = { apiKey: this.apiKey },
    options: Omit<ClientOptions, 'address' | 'apiKey' | 'token'> = {},
  ): TributaryClient {
    const client = new TributaryClient({ address: this.grpcAddress, ...options, ...credentials });
    this.clients.push(client);
    return client;
  }

  /** POST/GET against the HTTP gateway with the test key unless other headers are given. */
  http(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (!headers.has('x-api-key') && !headers.has('authorization') && !init.headers) {
      headers.set('x-api-key', this.apiKey);
    }
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    return fetch(`${this.httpUrl}${path}`, { ...init, headers, body });
  }

  async stop(): Promise<void> {
    for (const client of this.clients) client.close();
    await Promise.all([...this.edges.values()].map((edge) => edge.stop()));
    await Promise.all(this.replicas.map((replica) => replica.process.stop()));
    await this.coordinator?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
