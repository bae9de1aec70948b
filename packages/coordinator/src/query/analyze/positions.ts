import {
  characterPosition,
  indexOfByteOffset,
  indexOfCodePointOffset,
  originalIndex,
  type Splice,
} from './sql-text.js';

/**
 * DuckDB reports locations as 0-based byte offsets into UTF-8 (parse-tree
 * `query_location`, binder and catalog errors), except syntax errors, which
 * count code points.
 *
 * Where a DuckDB byte offset lands in the text the client sent. Analysis may
 * run on a copy of the SQL with placeholders replaced; `splices` maps back.
 */
export class SourcePositions {
  constructor(
    readonly sql: string,
    readonly analyzedSql: string = sql,
    private readonly splices: readonly Splice[] = [],
  ) {}

  /** The 1-based character position in the client's SQL of a byte offset into the analyzed SQL. */
  position(byteOffset: number | undefined): number | undefined {
    if (byteOffset === undefined) return undefined;
    const index = originalIndex(this.splices, indexOfByteOffset(this.analyzedSql, byteOffset));
    return characterPosition(this.sql, index);
  }

  /** The same for a code point offset (the unit of DuckDB's syntax error positions). */
  positionOfCharacterOffset(offset: number | undefined): number | undefined {
    if (offset === undefined) return undefined;
    const index = originalIndex(this.splices, indexOfCodePointOffset(this.analyzedSql, offset));
    return characterPosition(this.sql, index);
  }

  /** The byte offset in the client's SQL of a byte offset into the analyzed SQL. */
  originalByteOffset(byteOffset: number): number {
    const index = originalIndex(this.splices, indexOfByteOffset(this.analyzedSql, byteOffset));
    return Buffer.byteLength(this.sql.slice(0, index), 'utf8');
  }

  /** The same, for a byte offset into the client's own SQL (parse-tree locations). */
  originalPosition(byteOffset: number | undefined): number | undefined {
    if (byteOffset === undefined) return undefined;
    return characterPosition(this.sql, indexOfByteOffset(this.sql, byteOffset));
  }
}
