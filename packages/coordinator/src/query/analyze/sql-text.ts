// Small, exact helpers over SQL text. Nothing here decides whether a query is
// allowed: DuckDB's parser does that. The scanner below only finds placeholder
// tokens (so they can be swapped for typed NULLs during analysis) and the
// first keyword (for error messages); every use of its output is checked
// against DuckDB's own parse tree.

/** `name` as a DuckDB identifier: always double-quoted, embedded quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"source"."schema"."table"`. */
export function quoteTableName(ref: { source: string; schema: string; table: string }): string {
  return `${quoteIdentifier(ref.source)}.${quoteIdentifier(ref.schema)}.${quoteIdentifier(ref.table)}`;
}

/** `source.schema.table`, for messages. */
export function displayTableName(ref: { source: string; schema: string; table: string }): string {
  return `${ref.source}.${ref.schema}.${ref.table}`;
}

/** A `$n`, `?`, `?n` or `$name` placeholder in the SQL text; [start, end) are string indices. */
export interface PlaceholderToken {
  start: number;
  end: number;
  /** The identifier DuckDB gives the placeholder: "1", "2", … or the name of a `$name`. */
  identifier: string;
  named: boolean;
}

export interface SqlScan {
  /** The first keyword, upper-cased ("SELECT", "DROP", …), or "(" / undefined. */
  firstWord: string | undefined;
  placeholders: PlaceholderToken[];
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isIdentStart = (c: string | undefined): boolean =>
  c !== undefined &&
  ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c.charCodeAt(0) >= 0x80);
const isIdentChar = (c: string | undefined): boolean => isIdentStart(c) || isDigit(c) || c === '$';

/**
 * Finds placeholders outside literals, quoted identifiers and comments. Knows
 * DuckDB's (PostgreSQL's) lexical rules: `'…'` with `''`, `E'…'` with
 * backslash escapes, `"…"` with `""`, `$tag$…$tag$`, `--` and nested block
 * comments, `$` inside identifiers.
 */
export function scanSql(sql: string): SqlScan {
  const placeholders: PlaceholderToken[] = [];
  let firstWord: string | undefined;
  let sawToken = false;
  let questionMarks = 0;
  const n = sql.length;
  let i = 0;
  const noteToken = (word: string | undefined): void => {
    if (!sawToken) firstWord = word;
    sawToken = true;
  };

  const skipQuoted = (quote: string, backslashEscapes: boolean): void => {
    // sql[i] is the opening quote.
    i++;
    while (i < n) {
      const c = sql[i];
      if (backslashEscapes && c === '\\') {
        i += 2;
        continue;
      }
      if (c === quote) {
        if (sql[i + 1] === quote) {
          i += 2;
          continue;
        }
        i++;
        return;
      }
      i++;
    }
  };

  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i++;
    } else if (c === '-' && next === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else {
          i++;
        }
      }
    } else if (c === "'") {
      noteToken(undefined);
      skipQuoted("'", false);
    } else if (c === '"') {
      noteToken(undefined);
      skipQuoted('"', false);
    } else if (c === '$') {
      noteToken(undefined);
      const start = i;
      if (isDigit(next)) {
        i++;
        while (isDigit(sql[i])) i++;
        placeholders.push({
          start,
          end: i,
          identifier: String(Number(sql.slice(start + 1, i))),
          named: false,
        });
      } else if (next === '$' || isIdentStart(next)) {
        let j = i + 1;
        while (j < n && isIdentChar(sql[j]) && sql[j] !== '$') j++;
        if (sql[j] === '$') {
          // Dollar-quoted string: $tag$ … $tag$
          const tag = sql.slice(i, j + 1);
          const close = sql.indexOf(tag, j + 1);
          i = close === -1 ? n : close + tag.length;
        } else {
          placeholders.push({ start, end: j, identifier: sql.slice(start + 1, j), named: true });
          i = j;
        }
      } else {
        i++;
      }
    } else if (c === '?') {
      noteToken(undefined);
      const start = i;
      i++;
      while (isDigit(sql[i])) i++;
      questionMarks++;
      const digits = sql.slice(start + 1, i);
      placeholders.push({
        start,
        end: i,
        identifier: digits ? String(Number(digits)) : String(questionMarks),
        named: false,
      });
    } else if (isIdentStart(c)) {
      const start = i;
      while (i < n && isIdentChar(sql[i])) i++;
      const word = sql.slice(start, i);
      noteToken(word.toUpperCase());
      if ((word === 'e' || word === 'E') && sql[i] === "'") skipQuoted("'", true);
    } else if (isDigit(c)) {
      noteToken(undefined);
      while (i < n && (isIdentChar(sql[i]) || sql[i] === '.')) i++;
    } else {
      noteToken(c === '(' ? '(' : undefined);
      i++;
    }
  }
  return { firstWord, placeholders };
}

/** A replaced stretch of text: [start, end) in the original became [newStart, newEnd). */
export interface Splice {
  start: number;
  end: number;
  newStart: number;
  newEnd: number;
}

/** Replaces each token's text; returns the new text and where each replacement landed. */
export function spliceText(
  text: string,
  tokens: readonly { start: number; end: number }[],
  replacement: (index: number) => string,
): { text: string; splices: Splice[] } {
  const ordered = tokens
    .map((token, index) => ({ token, index }))
    .sort((a, b) => a.token.start - b.token.start);
  let out = '';
  let cursor = 0;
  const splices: Splice[] = [];
  for (const { token, index } of ordered) {
    out += text.slice(cursor, token.start);
    const newStart = out.length;
    out += replacement(index);
    splices.push({ start: token.start, end: token.end, newStart, newEnd: out.length });
    cursor = token.end;
  }
  out += text.slice(cursor);
  return { text: out, splices };
}

/** Maps a string index in spliced text back to the original text. */
export function originalIndex(splices: readonly Splice[], index: number): number {
  let shift = 0;
  for (const splice of splices) {
    if (index < splice.newStart) break;
    if (index < splice.newEnd) return splice.start;
    shift = splice.end - splice.newEnd;
  }
  return index + shift;
}

/** The string index of a UTF-8 byte offset (DuckDB reports byte offsets). */
export function indexOfByteOffset(text: string, byteOffset: number): number {
  let bytes = 0;
  let index = 0;
  while (index < text.length && bytes < byteOffset) {
    const code = text.codePointAt(index) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    index += code >= 0x10000 ? 2 : 1;
  }
  return index;
}

/** The string index of a code point offset (DuckDB's parser reports these for syntax errors). */
export function indexOfCodePointOffset(text: string, offset: number): number {
  let index = 0;
  for (let n = 0; n < offset && index < text.length; n++) {
    index += (text.codePointAt(index) ?? 0) >= 0x10000 ? 2 : 1;
  }
  return index;
}

/** The 1-based character (code point) position of a string index. */
export function characterPosition(text: string, index: number): number {
  let position = 1;
  for (let i = 0; i < index && i < text.length; i++) {
    const code = text.charCodeAt(i);
    // The second half of a surrogate pair does not start a character.
    if (code < 0xdc00 || code > 0xdfff) position++;
  }
  return position;
}
