// Helpers for the engine's tests (excluded from the package build).
import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  type DuckDBConnection,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBIntervalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimeNSValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import { ARROW_EOS, type SqlValue, TributaryError } from '@tributary/core';
import { type Data, type DataType, type Field, type Table, Type, tableFromIPC } from 'apache-arrow';
import { type EngineOptions, type EngineSetup, QueryEngine } from '../engine.js';
import type { IpcChunk, QueryStream } from '../stream.js';

export const TEST_OPTIONS: EngineOptions = {
  memoryLimit: '512MB',
  threads: 2,
  queryTimeoutMs: 30_000,
  maxConcurrentQueries: 2,
  allowedDirectories: [],
};

export function openTestEngine(
  overrides: Partial<EngineOptions> = {},
  setup?: EngineSetup,
): Promise<QueryEngine> {
  return QueryEngine.open({ ...TEST_OPTIONS, ...overrides }, setup);
}

export interface Collected {
  table: Table;
  chunks: IpcChunk[];
}

/** Reads a whole stream and decodes it the way a client would. */
export async function collect(stream: QueryStream): Promise<Collected> {
  const chunks: IpcChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const bytes = Buffer.concat([...chunks.map((chunk) => chunk.ipc), ARROW_EOS]);
  return { table: tableFromIPC(bytes), chunks };
}

/** Awaits `work` and returns the TributaryError it fails with. */
export async function failure(work: Promise<unknown>): Promise<TributaryError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof TributaryError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

const decoder = new TextDecoder();

function int128(words: ArrayLike<number>, at: number): bigint {
  let value = 0n;
  for (let i = 3; i >= 0; i--) value = (value << 32n) | BigInt((words[at + i] as number) >>> 0);
  return BigInt.asIntN(128, value);
}

/**
 * An Arrow value in a comparable form, read from the raw buffers so nothing is
 * rounded: 64-bit integers, times and timestamps as bigint in their unit,
 * dates as days, decimals as the unscaled bigint, intervals as
 * {months, days, nanos}.
 */
export function arrowValue(data: Data, index: number): unknown {
  if (data.offset !== 0) throw new Error('sliced data is not expected here');
  if (data.typeId === Type.Null || !data.getValid(index)) return null;
  const values = data.values as ArrayLike<number | bigint> & { subarray(a: number, b: number): Uint8Array };
  const offsets = data.valueOffsets as Int32Array;
  switch (data.typeId) {
    case Type.Bool:
      return ((data.values[index >>> 3] as number) & (1 << (index & 7))) !== 0;
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
      return values[index];
    case Type.Decimal:
      return int128(data.values as Uint32Array, index * 4);
    case Type.Utf8:
      return decoder.decode(values.subarray(offsets[index] as number, offsets[index + 1] as number));
    case Type.Binary:
      return new Uint8Array(values.subarray(offsets[index] as number, offsets[index + 1] as number));
    case Type.Interval: {
      const words = data.values as Int32Array;
      const nanos =
        (BigInt(words[index * 4 + 3] as number) << 32n) | BigInt((words[index * 4 + 2] as number) >>> 0);
      return { months: words[index * 4], days: words[index * 4 + 1], nanos };
    }
    case Type.List: {
      const child = data.children[0] as Data;
      const items: unknown[] = [];
      for (let i = offsets[index] as number; i < (offsets[index + 1] as number); i++)
        items.push(arrowValue(child, i));
      return items;
    }
    case Type.FixedSizeList: {
      const size = (data.type as unknown as { listSize: number }).listSize;
      const child = data.children[0] as Data;
      return Array.from({ length: size }, (_, i) => arrowValue(child, index * size + i));
    }
    case Type.Struct: {
      const fields = (data.type as DataType).children as Field[];
      return Object.fromEntries(
        fields.map((field, i) => [field.name, arrowValue(data.children[i] as Data, index)]),
      );
    }
    case Type.Map: {
      const entries = data.children[0] as Data;
      const [keys, items] = entries.children as [Data, Data];
      const pairs: unknown[] = [];
      for (let i = offsets[index] as number; i < (offsets[index + 1] as number); i++) {
        pairs.push([arrowValue(keys, i), arrowValue(items, i)]);
      }
      return pairs;
    }
    default:
      throw new Error(`no comparison for Arrow type ${data.type}`);
  }
}

/** Every value of one column, across batches. */
export function arrowColumn(table: Table, column: number): unknown[] {
  const vector = table.getChildAt(column);
  if (!vector) throw new Error(`no column ${column}`);
  const out: unknown[] = [];
  for (const data of vector.data) for (let i = 0; i < data.length; i++) out.push(arrowValue(data, i));
  return out;
}

/**
 * A DuckDB value (from node-api's readers) in the form `arrowValue` gives for
 * the Arrow type the engine chose; where that type is Utf8 for a non-string
 * DuckDB type (UUID, UHUGEINT, fallbacks) the expected text is DuckDB's own.
 */
export function duckValue(value: DuckDBValue, type: DataType): unknown {
  if (value === null) return null;
  if (type.typeId === Type.Utf8 && typeof value !== 'string') return String(value);
  if (value instanceof DuckDBDecimalValue) return value.value;
  if (value instanceof DuckDBBlobValue) return new Uint8Array(value.bytes);
  if (value instanceof DuckDBDateValue) return value.days;
  if (value instanceof DuckDBTimeValue || value instanceof DuckDBTimestampValue) return value.micros;
  if (value instanceof DuckDBTimestampTZValue) return value.micros;
  if (value instanceof DuckDBTimeNSValue || value instanceof DuckDBTimestampNanosecondsValue)
    return value.nanos;
  if (value instanceof DuckDBTimestampSecondsValue) return value.seconds;
  if (value instanceof DuckDBTimestampMillisecondsValue) return value.millis;
  if (value instanceof DuckDBIntervalValue) {
    return { months: value.months, days: value.days, nanos: value.micros * 1000n };
  }
  const children = type.children as Field[];
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) {
    const item = (children[0] as Field).type;
    return value.items.map((entry) => duckValue(entry, item));
  }
  if (value instanceof DuckDBStructValue) {
    return Object.fromEntries(
      children.map((field) => [field.name, duckValue(value.entries[field.name] ?? null, field.type)]),
    );
  }
  if (value instanceof DuckDBMapValue) {
    const [key, item] = ((children[0] as Field).type.children as Field[]).map((field) => field.type) as [
      DataType,
      DataType,
    ];
    return value.entries.map((entry) => [duckValue(entry.key, key), duckValue(entry.value, item)]);
  }
  if (type.typeId === Type.Decimal && typeof value === 'bigint') return value; // HUGEINT
  return value;
}

let reference: Promise<DuckDBConnection> | undefined;

/** A plain (not locked-down) DuckDB connection that reads the expected values. */
export function referenceConnection(): Promise<DuckDBConnection> {
  reference ??= DuckDBInstance.create(':memory:').then((instance) => instance.connect());
  return reference;
}

/** Runs `sql` through the engine and through node-api and checks every value is the same. */
export async function assertSameAsDuckDB(
  engine: QueryEngine,
  sql: string,
  params: SqlValue[] = [],
  compare: (actual: unknown, expected: unknown, message: string) => void,
): Promise<Table> {
  const { table } = await collect(engine.stream(sql, params));
  const connection = await referenceConnection();
  const reader = await connection.runAndReadAll(sql, params as DuckDBValue[]);
  const rows = reader.getRows();
  const names = reader.columnNames();
  compare(table.numRows, rows.length, `${sql}: row count`);
  compare(
    table.schema.fields.map((field) => field.name),
    names,
    `${sql}: column names`,
  );
  table.schema.fields.forEach((field, column) => {
    const expected = rows.map((row) => duckValue(row[column] as DuckDBValue, field.type));
    compare(arrowColumn(table, column), expected, `${sql}: column ${field.name} (${field.type})`);
  });
  return table;
}
