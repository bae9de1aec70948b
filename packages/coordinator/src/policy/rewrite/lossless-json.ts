// DuckDB's parse trees hold numbers JSON.parse cannot keep: 2^64-1 for "no
// query location", 64-bit halves of HUGEINT constants, and doubles written
// as `10.0` that DuckDB's deserializer insists stay doubles. Numbers are kept
// as their exact text, boxed in an object with a key DuckDB never writes, so
// the tree round-trips byte for byte and the analyzer's tree helpers still
// apply to it.

import type { Json, JsonObject } from '../../query/analyze/json.js';

const NUMBER_KEY = '\u0000number';

export function isBoxedNumber(object: JsonObject): boolean {
  const keys = Object.keys(object);
  return keys.length === 1 && keys[0] === NUMBER_KEY;
}

/** The exact text of a boxed number, or undefined. */
export function boxedNumberText(value: Json | undefined): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !isBoxedNumber(value))
    return undefined;
  const text = value[NUMBER_KEY];
  return typeof text === 'string' ? text : undefined;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function parseLossless(text: string): Json {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxError(`unreadable JSON from DuckDB at ${i}`);
  };
  const skipSpace = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t'))
      i++;
  };
  const readString = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail();
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const readValue = (): Json => {
    skipSpace();
    const c = text[i];
    if (c === '{') {
      i++;
      const object: JsonObject = {};
      skipSpace();
      if (text[i] === '}') {
        i++;
        return object;
      }
      for (;;) {
        skipSpace();
        if (text[i] !== '"') fail();
        const key = readString();
        skipSpace();
        if (text[i++] !== ':') fail();
        object[key] = readValue();
        skipSpace();
        const next = text[i++];
        if (next === '}') return object;
        if (next !== ',') fail();
      }
    }
    if (c === '[') {
      i++;
      const array: Json[] = [];
      skipSpace();
      if (text[i] === ']') {
        i++;
        return array;
      }
      for (;;) {
        array.push(readValue());
        skipSpace();
        const next = text[i++];
        if (next === ']') return array;
        if (next !== ',') fail();
      }
    }
    if (c === '"') return readString();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return value;
      }
    }
    // DuckDB writes non-finite doubles (`1e400`) as bare words.
    for (const word of ['Infinity', '-Infinity', 'NaN']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return { [NUMBER_KEY]: word };
      }
    }
    NUMBER.lastIndex = i;
    const match = NUMBER.exec(text);
    if (!match) return fail();
    i += match[0].length;
    return { [NUMBER_KEY]: match[0] };
  };
  const value = readValue();
  skipSpace();
  if (i !== text.length) fail();
  return value;
}

export function stringifyLossless(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(stringifyLossless).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    if (isBoxedNumber(value)) return String(value[NUMBER_KEY]);
    return `{${Object.entries(value)
      .map(([key, child]) => `${JSON.stringify(key)}:${stringifyLossless(child)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
