// DuckDB's errors, as the error model's codes. Messages keep DuckDB's first
// line only: the lines after it ("Did you mean …", "Candidate bindings: …")
// name catalog objects the principal may not be allowed to see.

import { TributaryError } from '@tributary/core';
import { byteOffset, type JsonObject, stringField, walkJson } from './json.js';
import type { SourcePositions } from './positions.js';

export interface ErrorContext {
  positions: SourcePositions;
  /** The parse tree of the client's statement, to name a missing table as it was written. */
  statement?: JsonObject;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').trim() || 'query could not be analyzed';
}

function withPosition(
  details: Record<string, unknown>,
  position: number | undefined,
): Record<string, unknown> {
  return position === undefined ? details : { ...details, position };
}

interface WrittenTable {
  written: string;
  catalog: string;
  schema: string;
  location: number | undefined;
}

function writtenTables(statement: JsonObject | undefined): WrittenTable[] {
  const found: WrittenTable[] = [];
  if (!statement) return found;
  walkJson(statement, (object) => {
    if (object.type !== 'BASE_TABLE' || typeof object.class === 'string') return;
    const catalog = stringField(object, 'catalog_name');
    const schema = stringField(object, 'schema_name');
    const table = stringField(object, 'table_name');
    found.push({
      written: [catalog, schema, table].filter((part) => part !== '').join('.'),
      catalog,
      schema,
      location: byteOffset(object.query_location),
    });
  });
  return found;
}

function tableNotFound(written: string, position: number | undefined): TributaryError {
  return new TributaryError(
    'NOT_FOUND',
    `table ${written} not found`,
    withPosition({ table: written }, position),
  );
}

const INVALIDATED = /FATAL|database has been invalidated/i;

/**
 * True when DuckDB reported a fatal error: the instance refuses all further
 * work and must be replaced (see SqlAnalyzer).
 */
export function isInstanceInvalidated(error: unknown): boolean {
  if (error instanceof TributaryError) return error.code === 'INTERNAL' && isInstanceInvalidated(error.cause);
  const message = error instanceof Error ? error.message : String(error ?? '');
  return INVALIDATED.test(message);
}

function internal(message: string, cause: unknown): TributaryError {
  return new TributaryError('INTERNAL', 'query analysis failed', undefined, {
    cause: new Error(message, { cause }),
  });
}

/** The error object json_serialize_sql / json_serialize_plan return instead of a tree. */
export function errorFromSerialized(error: JsonObject, context: ErrorContext): TributaryError {
  const type = stringField(error, 'error_type');
  const message = stringField(error, 'error_message');
  if (type === 'fatal' || INVALIDATED.test(message)) return internal(`${type} error: ${message}`, undefined);
  const offset = byteOffset(error.position);
  const position =
    type === 'parser'
      ? context.positions.positionOfCharacterOffset(offset)
      : context.positions.position(offset);

  if (
    type === 'catalog' &&
    (stringField(error, 'type') === 'Table' || message.startsWith('Table with name'))
  ) {
    const originalOffset = offset === undefined ? undefined : context.positions.originalByteOffset(offset);
    const table = writtenTables(context.statement).find((candidate) => candidate.location === originalOffset);
    const written = table?.written ?? (stringField(error, 'name') || firstLine(message));
    return tableNotFound(written, position);
  }
  const missingCatalog = /^Catalog "(.*)" does not exist/.exec(message);
  if (missingCatalog) {
    const name = (missingCatalog[1] ?? '').toLowerCase();
    const table = writtenTables(context.statement).find(
      (candidate) =>
        candidate.catalog.toLowerCase() === name ||
        (candidate.catalog === '' && candidate.schema.toLowerCase() === name),
    );
    return tableNotFound(table?.written ?? missingCatalog[1] ?? '', position);
  }
  switch (type) {
    case 'parser':
    case 'binder':
    case 'catalog':
    case 'not implemented':
    case 'conversion':
    case 'invalid input':
    case 'out of range':
    case 'syntax':
      return TributaryError.invalid(firstLine(message), withPosition({}, position));
    case 'permission':
      return TributaryError.invalid('file and network access is not allowed', withPosition({}, position));
    default:
      return internal(`${type} error: ${message}`, undefined);
  }
}

/** An error thrown by the DuckDB client (e.g. from prepare), whose message starts "<Type> Error: ". */
export function errorFromThrown(error: unknown): TributaryError {
  if (error instanceof TributaryError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const match = /^([A-Za-z ]+) Error: ([\s\S]*)$/.exec(message);
  const kind = match?.[1]?.toLowerCase() ?? '';
  if (match && kind !== 'internal' && kind !== 'fatal' && !INVALIDATED.test(message)) {
    return TributaryError.invalid(firstLine(match[2] ?? ''));
  }
  return internal(message, error);
}
