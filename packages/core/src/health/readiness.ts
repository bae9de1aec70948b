/** What one readiness check found. */
export interface CheckResult {
  ok: boolean;
  /** A short, human-readable description: "3 of 3 sources served", the error message. */
  detail?: string;
}

export type ReadinessCheck = () => Promise<CheckResult> | CheckResult;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckResult & { ms: number }>;
}

/**
 * The dependencies a process needs before it should get traffic, each a
 * named check. Checks run concurrently on every probe, each bounded by a
 * timeout, so one hung dependency makes the probe answer "not ready" rather
 * than not answer. Components add their own checks where they are wired
 * (the store, edges, a shared cache).
 */
export class ReadinessChecks {
  private readonly checks = new Map<string, ReadinessCheck>();

  constructor(private readonly timeoutMs = 2_000) {}

  add(name: string, check: ReadinessCheck): this {
    if (this.checks.has(name)) throw new Error(`readiness check ${name} is already registered`);
    this.checks.set(name, check);
    return this;
  }

  get names(): string[] {
    return [...this.checks.keys()];
  }

  async evaluate(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, await this.run(check)] as const),
    );
    const checks = Object.fromEntries(entries);
    return { ready: entries.length > 0 && entries.every(([, r]) => r.ok), checks };
  }

  private async run(check: ReadinessCheck): Promise<CheckResult & { ms: number }> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CheckResult>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, detail: `no answer within ${this.timeoutMs} ms` }),
        this.timeoutMs,
      );
    });
    try {
      const result = await Promise.race([Promise.resolve().then(check), timeout]);
      return { ok: result.ok, ...(result.detail ? { detail: result.detail } : {}), ms: elapsed(started) };
    } catch (error) {
      return { ok: false, detail: (error as Error).message, ms: elapsed(started) };
    } finally {
      clearTimeout(timer);
    }
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
