import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The newest PostgreSQL server binaries Debian's `postgresql` package installed. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no PostgreSQL server under ${root}`);
  return join(root, versions[0] as string, 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface PostgresServerOptions {
  port?: number;
  password?: string;
}

/**
 * A throw-away PostgreSQL server on a free loopback port with its own data
 * directory. PostgreSQL refuses to run as root, so under root it runs as the
 * `postgres` system user the Debian package creates.
 */
export class PostgresServer {
  readonly user = 'tributary_admin';
  readonly password: string;
  readonly database = 'postgres';
  readonly host = '127.0.0.1';
  port = 0;
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly dir: string,
    options: PostgresServerOptions,
  ) {
    this.password = options.password ?? randomBytes(12).toString('base64url');
    this.port = options.port ?? 0;
  }

  /** A loopback port nothing listens on yet, e.g. for an edge started before its PostgreSQL. */
  static freePort(): Promise<number> {
    return freePort();
  }

  /** Starts a server, on `port` and with `password` when given (for a client configured before it runs). */
  static async start(options: PostgresServerOptions = {}): Promise<PostgresServer> {
    const server = new PostgresServer(mkdtempSync(join(tmpdir(), 'tributary-pg-')), options);
    try {
      await server.boot();
    } catch (error) {
      await server.stop();
      throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${server.output}`);
    }
    return server;
  }

  private asServerUser(): string[] {
    if (process.getuid?.() !== 0) return [];
    return ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--'];
  }

  private async boot(): Promise<void> {
    const bin = binDir();
    const data = join(this.dir, 'data');
    const pwfile = join(this.dir, 'pwfile');
    writeFileSync(pwfile, `${this.password}\n`);
    if (process.getuid?.() === 0) {
      const id = (flag: string) =>
        Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(this.dir, id('-u'), id('-g'));
      chownSync(pwfile, id('-u'), id('-g'));
    }
    chmodSync(this.dir, 0o700);
    const wrap = this.asServerUser();
    const [cmd, ...args] = [
      ...wrap,
      join(bin, 'initdb'),
      '-D',
      data,
      '-U',
      this.user,
      '--pwfile',
      pwfile,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
    ];
    execFileSync(cmd as string, args, { stdio: 'pipe' });
    if (this.port === 0) this.port = await freePort();
    const [run, ...runArgs] = [
      ...wrap,
      join(bin, 'postgres'),
      '-D',
      data,
      '-p',
      String(this.port),
      '-k',
      this.dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'full_page_writes=off',
    ];
    this.child = spawn(run as string, runArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d) => {
      this.output += d;
    });
    this.child.stderr?.on('data', (d) => {
      this.output += d;
    });
    const exited = new Promise<never>((_, reject) =>
      this.child?.once('exit', (code) => reject(new Error(`postgres exited with ${code}`))),
    );
    exited.catch(() => undefined);
    // Readiness: the server accepts a login.
    for (let attempt = 0; ; attempt++) {
      try {
        await Promise.race([this.query('SELECT 1'), exited]);
        return;
      } catch (error) {
        if (attempt > 300 || this.child.exitCode !== null) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Connection settings as a client (or a `postgres` source) needs them. */
  connection(database = this.database): pg.ClientConfig {
    return { host: this.host, port: this.port, user: this.user, password: this.password, database };
  }

  /** Runs SQL as the superuser and returns the rows. */
  async query<T extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
    database = this.database,
  ): Promise<T[]> {
    const client = new pg.Client(this.connection(database));
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT'); // fast shutdown
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
