import { type DuckDBType, DuckDBTypeId } from '@duckdb/node-api';
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  List,
  Map_,
  Struct,
  TimeMicrosecond,
  TimeNanosecond,
  Timestamp,
  TimeUnit,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
} from 'apache-arrow';
import type { ColumnWriter } from './column-writer.js';
import { NarrowDecimalWriter } from './decimal.js';
import { EnumWriter } from './enum.js';
import { NullWriter, TextFallbackWriter } from './fallback.js';
import { BooleanWriter, FixedWidthWriter } from './fixed-width.js';
import { IntervalWriter } from './interval.js';
import { FixedSizeListWriter, ListWriter, StructWriter } from './nested.js';
import { StringWriter } from './strings.js';
import { UuidWriter } from './uuid.js';

/** The element field name Arrow implementations use for lists. */
const LIST_ITEM = 'item';

/**
 * Picks the writer (and with it the Arrow type) for a DuckDB type. The
 * mapping is documented in index.ts.
 */
export function createColumnWriter(type: DuckDBType): ColumnWriter {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return new BooleanWriter(new Bool());
    case DuckDBTypeId.TINYINT:
      return new FixedWidthWriter(new Int8(), 1);
    case DuckDBTypeId.SMALLINT:
      return new FixedWidthWriter(new Int16(), 2);
    case DuckDBTypeId.INTEGER:
      return new FixedWidthWriter(new Int32(), 4);
    case DuckDBTypeId.BIGINT:
      return new FixedWidthWriter(new Int64(), 8);
    case DuckDBTypeId.UTINYINT:
      return new FixedWidthWriter(new Uint8(), 1);
    case DuckDBTypeId.USMALLINT:
      return new FixedWidthWriter(new Uint16(), 2);
    case DuckDBTypeId.UINTEGER:
      return new FixedWidthWriter(new Uint32(), 4);
    case DuckDBTypeId.UBIGINT:
      return new FixedWidthWriter(new Uint64(), 8);
    case DuckDBTypeId.FLOAT:
      return new FixedWidthWriter(new Float32(), 4);
    case DuckDBTypeId.DOUBLE:
      return new FixedWidthWriter(new Float64(), 8);
    case DuckDBTypeId.HUGEINT:
      // int128 storage is Decimal128's; values beyond 38 digits keep their exact bits.
      return new FixedWidthWriter(new Decimal(0, 38, 128), 16);
    case DuckDBTypeId.DECIMAL: {
      const arrowType = new Decimal(type.scale, type.width, 128);
      if (type.width <= 4) return new NarrowDecimalWriter(arrowType, 2);
      if (type.width <= 9) return new NarrowDecimalWriter(arrowType, 4);
      if (type.width <= 18) return new NarrowDecimalWriter(arrowType, 8);
      return new FixedWidthWriter(arrowType, 16);
    }
    case DuckDBTypeId.VARCHAR:
      return new StringWriter(new Utf8());
    case DuckDBTypeId.BLOB:
      return new StringWriter(new Binary());
    case DuckDBTypeId.DATE:
      return new FixedWidthWriter(new DateDay(), 4);
    case DuckDBTypeId.TIME:
      return new FixedWidthWriter(new TimeMicrosecond(), 8);
    case DuckDBTypeId.TIME_NS:
      return new FixedWidthWriter(new TimeNanosecond(), 8);
    case DuckDBTypeId.TIMESTAMP:
      return new FixedWidthWriter(new Timestamp(TimeUnit.MICROSECOND), 8);
    case DuckDBTypeId.TIMESTAMP_S:
      return new FixedWidthWriter(new Timestamp(TimeUnit.SECOND), 8);
    case DuckDBTypeId.TIMESTAMP_MS:
      return new FixedWidthWriter(new Timestamp(TimeUnit.MILLISECOND), 8);
    case DuckDBTypeId.TIMESTAMP_NS:
      return new FixedWidthWriter(new Timestamp(TimeUnit.NANOSECOND), 8);
    case DuckDBTypeId.TIMESTAMP_TZ:
      // DuckDB stores instants as UTC micros; the session time zone only affects rendering.
      return new FixedWidthWriter(new Timestamp(TimeUnit.MICROSECOND, 'UTC'), 8);
    case DuckDBTypeId.INTERVAL:
      return new IntervalWriter();
    case DuckDBTypeId.UUID:
      return new UuidWriter();
    case DuckDBTypeId.ENUM: {
      const width =
        type.internalTypeId === DuckDBTypeId.UTINYINT
          ? 1
          : type.internalTypeId === DuckDBTypeId.USMALLINT
            ? 2
            : 4;
      return new EnumWriter(type.values, width);
    }
    case DuckDBTypeId.LIST: {
      const child = createColumnWriter(type.valueType);
      return new ListWriter(new List(new Field(LIST_ITEM, child.type, true)), child);
    }
    case DuckDBTypeId.ARRAY: {
      const child = createColumnWriter(type.valueType);
      return new FixedSizeListWriter(
        new FixedSizeList(type.length, new Field(LIST_ITEM, child.type, true)),
        child,
        type.length,
      );
    }
    case DuckDBTypeId.STRUCT: {
      const children = type.entryTypes.map(createColumnWriter);
      const fields = children.map((child, i) => new Field(type.entryNames[i] as string, child.type, true));
      return new StructWriter(new Struct(fields), children);
    }
    case DuckDBTypeId.MAP: {
      const key = createColumnWriter(type.keyType);
      const value = createColumnWriter(type.valueType);
      const entries = new Struct([new Field('key', key.type, false), new Field('value', value.type, true)]);
      return new ListWriter(
        new Map_(new Field('entries', entries, false)),
        new StructWriter(entries, [key, value]),
      );
    }
    case DuckDBTypeId.SQLNULL:
      return new NullWriter();
    default:
      return new TextFallbackWriter(type);
  }
}
