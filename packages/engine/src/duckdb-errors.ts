import { type ErrorDetails, TributaryError } from '@tributary/core';

/** What DuckDB says about a failure; with `errors_as_json` (set at lock-down) it is structured. */
export interface DuckDBErrorInfo {
  /** DuckDB's exception type: Parser, Binder, Catalog, Permission, IO, Conversion, INTERRUPT, … */
  type: string;
  message: string;
  subtype?: string;
  /** Character offset into the SQL, when DuckDB knows it. */
  position?: number;
  /** For catalog errors: the kind of entry (Table, Schema, …). */
  entryType?: string;
}

const JSON_START = '{"exception_type"';

export function parseDuckDBError(error: unknown): DuckDBErrorInfo | null {
  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : null;
  if (text === null) return null;
  const start = text.indexOf(JSON_START);
  if (start >= 0) {
    try {
      const raw = JSON.parse(text.slice(start)) as Record<string, string | undefined>;
      const info: DuckDBErrorInfo = {
        type: raw.exception_type ?? 'Unknown',
        message: raw.exception_message ?? '',
      };
      if (raw.error_subtype) info.subtype = raw.error_subtype;
      if (raw.type) info.entryType = raw.type;
      const position = Number(raw.position);
      if (raw.position !== undefined && Number.isInteger(position)) info.position = position;
      return info;
    } catch {
      // Fall through to the plain "<Type> Error: <message>" form.
    }
  }
  const extract = /^Failed to extract statements: ?([\s\S]*)$/.exec(text);
  if (extract && !/ Error: /.test(extract[1] as string)) {
    return { type: 'Parser', message: (extract[1] as string).trim() || 'no SQL statement found' };
  }
  const plain = /^(?:Failed to extract statements: )?([A-Za-z ]+?) Error: ([\s\S]*)$/.exec(text);
  if (plain) return { type: plain[1] as string, message: (plain[2] as string).trim() };
  return null;
}

const NOT_FOUND_ENTRIES = new Set(['Table', 'View', 'Schema', 'Catalog', 'Table Function', 'Macro Function']);

const CALLER_ERRORS = new Set([
  'Parser',
  'Binder',
  'Catalog',
  'Conversion',
  'Invalid Input',
  'Out of Range',
  'Not implemented',
  'Mismatch Type',
  'Invalid type',
  'Syntax',
  'Constraint',
  'Dependency',
  'Parameter Not Resolved',
  'Parameter Not Allowed',
  'Sequence',
  'Transaction',
  'Invalid Configuration',
  'Expression',
]);

/**
 * Maps a DuckDB failure onto the error model. `stopped` is the reason the
 * query was stopped (cancel, deadline, shutdown), which wins over DuckDB's
 * own "interrupted" error.
 */
export function translateDuckDBError(error: unknown, stopped?: TributaryError): TributaryError {
  if (stopped) return stopped;
  if (error instanceof TributaryError) return error;
  const info = parseDuckDBError(error);
  if (!info) return new TributaryError('INTERNAL', 'internal error', undefined, { cause: error });
  const details: ErrorDetails = {};
  if (info.position !== undefined) details.position = info.position;
  const options = { cause: error };
  switch (info.type) {
    case 'Permission':
      return new TributaryError(
        'INVALID_ARGUMENT',
        'file access outside the configured sources is not allowed',
        { ...details, reason: info.message },
        options,
      );
    case 'INTERRUPT':
    case 'Interrupt':
      return new TributaryError('CANCELLED', 'the query was interrupted', details, options);
    case 'Out of Memory':
      return new TributaryError(
        'PAYLOAD_TOO_LARGE',
        `the query needs more memory than this engine allows: ${info.message}`,
        details,
        options,
      );
    case 'IO':
      if (info.message.startsWith('No files found')) {
        return new TributaryError('NOT_FOUND', info.message, details, options);
      }
      return new TributaryError('UNAVAILABLE', `reading a source failed: ${info.message}`, details, options);
    case 'Catalog':
      if (info.subtype === 'MISSING_ENTRY' && NOT_FOUND_ENTRIES.has(info.entryType ?? '')) {
        return new TributaryError('NOT_FOUND', info.message, details, options);
      }
      return new TributaryError('INVALID_ARGUMENT', info.message, details, options);
    default:
      if (CALLER_ERRORS.has(info.type)) {
        return new TributaryError('INVALID_ARGUMENT', info.message, details, options);
      }
      return new TributaryError('INTERNAL', 'internal error', { duckdb_error: info.type }, options);
  }
}
