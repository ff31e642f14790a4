import fc from 'fast-check';
import { lineColumnAt, locateJsonSyntaxError, parseJson } from '../../shared/wicked-config';

describe('parseJson', () => {
  it.each([
    ['an object', '{"a": [1, -2.5e3, true, null, "x\\u00e9\\n"]}', { a: [1, -2500, true, null, 'xé\n'] }],
    ['surrounding whitespace', ' \r\n\t[] \n', []],
    ['a bare string', '"plain"', 'plain'],
    ['a big number', `[${'9'.repeat(500)}]`, [Number('9'.repeat(500))]],
  ])('accepts %s', (_name, text, expected) => {
    expect(parseJson(text)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['a trailing comma in an object', '{\n  "a": 1,\n}', 3, 1, "expected a double-quoted property name, received '}' (JSON allows no trailing comma)"],
    ['a trailing comma in an array', '[1,\n 2,\n]', 3, 1, "expected a JSON value (object, array, string, number, true, false or null), received ']' (JSON allows no trailing comma)"],
    ['a missing comma', '{\n  "a": 1\n  "b": 2\n}', 3, 3, "expected ',' or '}' after property value, received '\"'"],
    ['a byte-order mark', '\uFEFF{}', 1, 1, 'received U+FEFF (byte-order mark)'],
    ['an empty file', '', 1, 1, 'received end of input'],
    ['an unterminated string', '{"a": "b', 1, 7, 'unterminated string'],
    ['a raw newline in a string', '["a\nb"]', 1, 4, 'control characters must be escaped'],
    ['a bad escape', '["\\x"]', 1, 3, 'received \'x\''],
    ['a short unicode escape', '["\\u12"]', 1, 3, 'four hex digits'],
    ['a leading zero', '[01]', 1, 3, 'well-formed number'],
    ['a single quote', "{'a': 1}", 1, 2, "received '''"],
    ['an unknown literal', '{"a": tru}', 1, 7, "received 't'"],
    ['text after the value', '{} x', 1, 4, "expected end of input after the value, received 'x'"],
    ['an unclosed array', '[1, 2', 1, 6, "expected ',' or ']' after array element, received end of input"],
    ['a missing colon', '{"a" 1}', 1, 6, "expected ':' after property name, received '1'"],
    ['a lone minus', '[-]', 1, 3, 'expected a digit in number'],
  ])('locates %s', (_name, text, line, column, message) => {
    const result = parseJson(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ line, column });
    expect(result.error.message).toContain(message);
  });

  it('counts columns in characters, not UTF-16 units', () => {
    const result = parseJson('{"😀": "日本", x}');
    expect(result.ok ? undefined : result.error).toMatchObject({ line: 1, column: 13 });
  });

  it('survives deep nesting without recursion', () => {
    expect(locateJsonSyntaxError('['.repeat(200_000))).toEqual({ offset: 200_000, message: expect.stringContaining('end of input') });
    expect(locateJsonSyntaxError(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBeUndefined();
  });

  it('agrees with JSON.parse on what is valid (property)', () => {
    const tokens = fc.constantFrom('{', '}', '[', ']', ',', ':', '"a"', '"b\\n"', '1', '-0.5', '1e3', 'true', 'null', ' ', '\n', '01', '"', "'", 'x', '\uFEFF', '\\');
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.array(tokens, { maxLength: 12 }).map((parts) => parts.join(''))), (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(locateJsonSyntaxError(text) === undefined).toBe(valid);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('lineColumnAt', () => {
  it.each([
    ['abc', 0, 1, 1],
    ['abc', 2, 1, 3],
    ['a\nbc', 2, 2, 1],
    ['a\r\nbc', 4, 2, 2],
    ['a\n\nb', 3, 3, 1],
  ])('%j at %i is line %i, column %i', (text, offset, line, column) => {
    expect(lineColumnAt(text, offset)).toEqual({ line, column });
  });
});
