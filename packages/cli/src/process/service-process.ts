import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export type ServiceRole = 'coordinator' | 'edge';

export interface ListeningEvent {
  grpcPort: number;
  httpPort?: number;
  grpcWebPort?: number;
  mcpPort?: number;
}

export interface ServiceProcessOptions {
  env?: NodeJS.ProcessEnv;
  /** Append every log line to this file. */
  logFile?: string;
  /** How long to wait for the process to listen. */
  startTimeoutMs?: number;
}

type LogLine = Record<string, unknown> & { msg?: string };

/** The CLI entry point, so services run exactly as an operator runs them. */
export const CLI_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/**
 * A Tributary process run as a child: started with its config, followed
 * through its JSON log lines (which is how readiness and bound ports are
 * learned), and stopped with SIGTERM then SIGKILL.
 */
export class ServiceProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<ListeningEvent>;
  private readonly lines: LogLine[] = [];
  private readonly waiters = new Set<{
    match: (line: LogLine) => boolean;
    resolve: (line: LogLine) => void;
  }>();
  private readonly log: WriteStream | undefined;
  private exited = false;

  constructor(
    readonly role: ServiceRole,
    configPath: string,
    options: ServiceProcessOptions = {},
  ) {
    this.log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
    this.child = spawn(process.execPath, [CLI_MAIN, role, '--config', configPath], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onLine = (text: string) => {
      this.log?.write(`${text}\n`);
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { msg: text };
      }
      this.lines.push(line);
      if (this.lines.length > 500) this.lines.shift();
      for (const waiter of this.waiters) {
        if (waiter.match(line)) {
          this.waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    };
    if (this.child.stdout) createInterface({ input: this.child.stdout }).on('line', onLine);
    if (this.child.stderr) createInterface({ input: this.child.stderr }).on('line', onLine);
    const exited = new Promise<never>((_, reject) => {
      this.child.once('exit', (code, signal) => {
        this.exited = true;
        const tail = this.lines
          .slice(-15)
          .map((l) => l.msg ?? JSON.stringify(l))
          .join('\n  ');
        reject(new Error(`${role} exited (${signal ?? code}) before it was ready:\n  ${tail}`));
      });
    });
    exited.catch(() => undefined);
    const timeout = options.startTimeoutMs ?? 60_000;
    this.ready = Promise.race([
      this.waitFor((line) => line.event === 'listening', timeout).then((line) => ({
        grpcPort: Number(line.grpcPort),
        httpPort: line.httpPort === undefined ? undefined : Number(line.httpPort),
        grpcWebPort: line.grpcWebPort === undefined ? undefined : Number(line.grpcWebPort),
        mcpPort: line.mcpPort === undefined ? undefined : Number(line.mcpPort),
      })),
      exited,
    ]);
  }

  /** Resolves with the first log line (past or future) that matches. */
  waitFor(match: (line: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (line: LogLine) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${this.role}: timed out waiting for a log line`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  recentLogs(): LogLine[] {
    return [...this.lines];
  }

  async stop(graceMs = 10_000): Promise<void> {
    if (this.exited || this.child.exitCode !== null) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await done;
    clearTimeout(timer);
    this.log?.end();
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
