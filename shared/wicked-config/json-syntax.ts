/**
 * JSON parsing with precise error positions.
 *
 * portal-api parses every `.json` file of the static folder with `JSON.parse`
 * (its environment sanity check walks them all), so acceptance is exactly
 * `JSON.parse`'s: a byte-order mark or a trailing comma anywhere stops
 * portal-api. V8 only sometimes puts a position in its message, so on failure
 * a small strict scanner finds the offset and says what it expected there.
 */

/** A syntax error with its position. */
export interface JsonSyntaxError {
  /** Offset in UTF-16 code units. */
  readonly offset: number;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column in code points. */
  readonly column: number;
  /** What was received and what was expected there. */
  readonly message: string;
}

/** Result of {@link parseJson}. */
export type JsonParseResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: JsonSyntaxError };

/**
 * Parses like `JSON.parse`, locating the error on failure.
 *
 * @example
 * parseJson('{"a": 1,}') // { ok: false, error: { line: 1, column: 9, ... } }
 */
export function parseJson(text: string): JsonParseResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const located = locateJsonSyntaxError(text) ?? fromEngineMessage(text, error);
    return { ok: false, error: { ...located, ...lineColumnAt(text, located.offset) } };
  }
}

function fromEngineMessage(text: string, error: unknown): { offset: number; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(message);
  return { offset: position ? Math.min(Number(position[1]), text.length) : 0, message };
}

/** 1-based line and column (in code points) of a UTF-16 offset. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, column: Array.from(text.slice(lineStart, offset)).length + 1 };
}

type Mode = 'value' | 'firstValueOrEnd' | 'key' | 'firstKeyOrEnd' | 'afterValue';
type Step = { next: number; mode: Mode } | { error: string; at?: number };
type Scan = number | { error: string; at: number };

/**
 * Finds the first syntax error of `text` as a strict JSON scanner sees it, or
 * `undefined` when the text is valid JSON. Iterative: deep nesting cannot
 * overflow the stack.
 */
export function locateJsonSyntaxError(text: string): { offset: number; message: string } | undefined {
  const stack: Array<'{' | '['> = [];
  let i = skipWhitespace(text, 0);
  let mode: Mode = 'value';
  for (;;) {
    if (mode === 'afterValue' && stack.length === 0) {
      return i === text.length ? undefined : { offset: i, message: `expected end of input after the value, received ${describe(text, i)}` };
    }
    const step = advance(text, i, mode, stack);
    if ('error' in step) {
      const at = step.at ?? i;
      return { offset: at, message: step.error + trailingCommaHint(text, at) };
    }
    i = skipWhitespace(text, step.next);
    mode = step.mode;
  }
}

function advance(text: string, i: number, mode: Mode, stack: Array<'{' | '['>): Step {
  const c = text[i];
  if (mode === 'afterValue') {
    const top = stack[stack.length - 1];
    const closer = top === '{' ? '}' : ']';
    if (c === ',') return { next: i + 1, mode: top === '{' ? 'key' : 'value' };
    if (c === closer) {
      stack.pop();
      return { next: i + 1, mode: 'afterValue' };
    }
    const after = top === '{' ? 'property value' : 'array element';
    return { error: `expected ',' or '${closer}' after ${after}, received ${describe(text, i)}` };
  }
  if (mode === 'firstKeyOrEnd' || mode === 'firstValueOrEnd') {
    if (c === (mode === 'firstKeyOrEnd' ? '}' : ']')) {
      stack.pop();
      return { next: i + 1, mode: 'afterValue' };
    }
  }
  if (mode === 'key' || mode === 'firstKeyOrEnd') return propertyName(text, i);
  return value(text, i, stack);
}

function propertyName(text: string, i: number): Step {
  if (text[i] !== '"') return { error: `expected a double-quoted property name, received ${describe(text, i)}` };
  const end = scanString(text, i);
  if (typeof end !== 'number') return end;
  const colon = skipWhitespace(text, end);
  if (text[colon] !== ':') return { error: `expected ':' after property name, received ${describe(text, colon)}`, at: colon };
  return { next: colon + 1, mode: 'value' };
}

function value(text: string, i: number, stack: Array<'{' | '['>): Step {
  const c = text[i];
  if (c === '{' || c === '[') {
    stack.push(c);
    return { next: i + 1, mode: c === '{' ? 'firstKeyOrEnd' : 'firstValueOrEnd' };
  }
  const end = c === '"' ? scanString(text, i) : c === '-' || isDigit(c) ? scanNumber(text, i) : scanLiteral(text, i);
  return typeof end === 'number' ? { next: end, mode: 'afterValue' } : end;
}

function scanLiteral(text: string, i: number): Scan {
  for (const literal of ['true', 'false', 'null']) {
    if (text.startsWith(literal, i)) return i + literal.length;
  }
  return { error: `expected a JSON value (object, array, string, number, true, false or null), received ${describe(text, i)}`, at: i };
}

function scanString(text: string, start: number): Scan {
  for (let i = start + 1; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20) return { error: `expected a closing '"' before ${describe(text, i)} (control characters must be escaped in strings)`, at: i };
    if (code === 0x5c) {
      const escape = text[i + 1];
      if (escape === 'u') {
        if (!/^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) return { error: 'expected four hex digits after \\u in string', at: i };
        i += 5;
      } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) {
        i += 1;
      } else {
        return { error: `expected an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX) in string, received ${describe(text, i + 1)}`, at: i };
      }
    }
  }
  return { error: 'expected a closing \'"\', received end of input (unterminated string starting here)', at: start };
}

function scanNumber(text: string, start: number): Scan {
  const pattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  pattern.lastIndex = start;
  const match = pattern.exec(text);
  if (!match) return { error: `expected a digit in number, received ${describe(text, start + 1)}`, at: start + 1 };
  const end = start + match[0].length;
  if (isDigit(text[end]) || text[end] === '.' || text[end] === 'e' || text[end] === 'E') {
    return { error: `expected a well-formed number (no leading zeros, digits after '.' and 'e'), received ${describe(text, end)}`, at: end };
  }
  return end;
}

function trailingCommaHint(text: string, i: number): string {
  const closing = text[i] === '}' || text[i] === ']';
  return closing && /,[ \t\n\r]*$/.test(text.slice(Math.max(0, i - 200), i)) ? ' (JSON allows no trailing comma)' : '';
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i += 1;
  return i;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** How a character appears in messages: `'x'`, `U+FEFF (byte-order mark)`, `end of input`. */
function describe(text: string, i: number): string {
  const codePoint = text.codePointAt(i);
  if (codePoint === undefined) return 'end of input';
  if (codePoint === 0xfeff) return 'U+FEFF (byte-order mark)';
  if (codePoint < 0x20 || codePoint === 0x7f) return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${String.fromCodePoint(codePoint)}'`;
}
