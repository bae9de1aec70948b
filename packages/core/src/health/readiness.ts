/** What one readiness check found. */
export interface CheckResult {
  ok: boolean;
  /** A short, human-readable description: "3 of 3 sources served", the error message. */
  detail?: string;
}

export type ReadinessCheck = () => Promise<CheckResult> | CheckResult;

export interface ReadinessReport {
  ready: boolean;
  /** Ready, but an advisory check fails: serving without something it normally shares. */
  degraded: boolean;
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
  private readonly advisory = new Set<string>();

  constructor(private readonly timeoutMs = 2_000) {}

  add(name: string, check: ReadinessCheck): this {
    if (this.checks.has(name)) throw new Error(`readiness check ${name} is already registered`);
    this.checks.set(name, check);
    return this;
  }

  /**
   * A check that is reported but does not decide readiness: when it fails
   * the process still serves, degraded (a shared cache it can do without).
   */
  addAdvisory(name: string, check: ReadinessCheck): this {
    this.add(name, check);
    this.advisory.add(name);
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
    const required = entries.filter(([name]) => !this.advisory.has(name));
    return {
      ready: required.length > 0 && required.every(([, r]) => r.ok),
      degraded: entries.some(([name, r]) => this.advisory.has(name) && !r.ok),
      checks,
    };
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
