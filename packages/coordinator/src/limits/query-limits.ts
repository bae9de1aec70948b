import { TributaryError } from '@tributary/core';

/** What one tenant's queries may use. 0 means no limit. */
export interface QueryLimits {
  /** Rows in one result; a result that would exceed it fails with PAYLOAD_TOO_LARGE. */
  maxRows: number;
  /** Arrow IPC bytes in one result; likewise PAYLOAD_TOO_LARGE. */
  maxBytes: number;
  /** Wall time of one query; past it the query ends with DEADLINE_EXCEEDED and the edge stops it. */
  maxExecutionMs: number;
  /** The tenant's queries running at once on one edge; one more is RATE_LIMITED. */
  maxConcurrentPerEdge: number;
}

export const NO_LIMITS: QueryLimits = { maxRows: 0, maxBytes: 0, maxExecutionMs: 0, maxConcurrentPerEdge: 0 };

/**
 * The tenant settings (AdminService UpdateTenant, `PATCH /v1/tenant`) that
 * override the configured defaults for one tenant, and the limit each sets.
 */
export const LIMIT_SETTINGS = {
  'limits.max_rows': 'maxRows',
  'limits.max_bytes': 'maxBytes',
  'limits.max_execution_ms': 'maxExecutionMs',
  'limits.max_concurrent_queries_per_edge': 'maxConcurrentPerEdge',
} as const satisfies Record<string, keyof QueryLimits>;

type LimitSetting = keyof typeof LIMIT_SETTINGS;

const isLimitSetting = (key: string): key is LimitSetting => Object.hasOwn(LIMIT_SETTINGS, key);

function settingValue(key: string, raw: string): number {
  const value = /^\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw TributaryError.invalid(
      `setting ${key} must be a non-negative integer (0 for no limit), not ${JSON.stringify(raw)}`,
      {
        setting: key,
      },
    );
  }
  return value;
}

/**
 * Checks limit settings before they are stored: a `limits.` key must be one
 * of LIMIT_SETTINGS with a non-negative integer value. Other keys pass.
 */
export function checkLimitSettings(settings: Record<string, string>): void {
  for (const [key, raw] of Object.entries(settings)) {
    if (!key.startsWith('limits.')) continue;
    if (!isLimitSetting(key)) {
      throw TributaryError.invalid(
        `unknown limit setting ${key}; known: ${Object.keys(LIMIT_SETTINGS).join(', ')}`,
        { setting: key },
      );
    }
    settingValue(key, raw);
  }
}

/** The defaults with a tenant's settings applied. A stored value that no longer parses is ignored. */
export function limitsWith(defaults: QueryLimits, settings: Record<string, string>): QueryLimits {
  const limits = { ...defaults };
  for (const [key, raw] of Object.entries(settings)) {
    if (!isLimitSetting(key)) continue;
    try {
      limits[LIMIT_SETTINGS[key]] = settingValue(key, raw);
    } catch {
      // Checked on write; only a hand-edited store could get here.
    }
  }
  return limits;
}
