import { ancestorsOf, compareUtf8, decodeName, displayName, normalisePath } from '../../shared/config-bundle/paths';

describe('normalisePath', () => {
  const accepted: [string, string, boolean][] = [
    ['globals.json', 'globals.json', false],
    ['env/default.json', 'env/default.json', false],
    ['a//b', 'a/b', false],
    ['./a', 'a', false],
    ['a/./b/', 'a/b', true],
    ['././a///b//', 'a/b', true],
    ['.', '', false],
    ['./', '', true],
    ['...', '...', false],
    ['a..b/..c', 'a..b/..c', false],
    ['.hidden/x', '.hidden/x', false],
    ['.what/x.json', '.what/x.json', false],
    ['cafe\u0301.json', 'caf\u00e9.json', false],
    ['caf\u00e9.json', 'caf\u00e9.json', false],
    ['日本/ファイル.json', '日本/ファイル.json', false],
    ['a b/c d', 'a b/c d', false],
    ['x'.repeat(255), 'x'.repeat(255), false],
    ['\u00e9'.repeat(127), '\u00e9'.repeat(127), false],
  ];
  it.each(accepted)('accepts %j as %j', (name, path, endsWithSlash) => {
    expect(normalisePath(name, 255)).toEqual({ ok: true, path, endsWithSlash });
  });

  const refused: [string, string][] = [
    ['/etc/passwd', 'ABSOLUTE_PATH'],
    ['//server/share/x', 'ABSOLUTE_PATH'],
    ['\\windows\\x', 'ABSOLUTE_PATH'],
    ['\\\\server\\share', 'ABSOLUTE_PATH'],
    ['C:\\x.json', 'ABSOLUTE_PATH'],
    ['c:/x.json', 'ABSOLUTE_PATH'],
    ['C:x.json', 'ABSOLUTE_PATH'],
    ['..', 'PATH_TRAVERSAL'],
    ['../x', 'PATH_TRAVERSAL'],
    ['a/../../x', 'PATH_TRAVERSAL'],
    ['a/..', 'PATH_TRAVERSAL'],
    ['a/../b', 'PATH_TRAVERSAL'],
    ['a\\..\\..\\x', 'PATH_TRAVERSAL'],
    ['a/..\\x', 'PATH_TRAVERSAL'],
    ['a\\b', 'INVALID_NAME'],
    ['a\u0000b', 'INVALID_NAME'],
    ['line\nbreak', 'INVALID_NAME'],
    ['tab\there', 'INVALID_NAME'],
    ['.wh.globals.json', 'INVALID_NAME'],
    ['content/.wh..wh..opq', 'INVALID_NAME'],
    ['del\u007f', 'INVALID_NAME'],
    ['x'.repeat(256), 'NAME_TOO_LONG'],
    [`ok/${'y'.repeat(300)}/z`, 'NAME_TOO_LONG'],
    ['\u00e9'.repeat(128), 'NAME_TOO_LONG'],
    ['e\u0301'.repeat(100) + 'x'.repeat(56), 'NAME_TOO_LONG'],
  ];
  it.each(refused)('refuses %j with %s, naming the entry as received', (name, code) => {
    const verdict = normalisePath(name, 255);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.problem.code).toBe(code);
      expect(verdict.problem.path).toBe(name);
      expect(verdict.problem.expected.length).toBeGreaterThan(0);
    }
  });

  it('measures segments after NFC, in UTF-8 bytes, against the given limit', () => {
    // 100 NFD "é" are 300 bytes but 200 after NFC.
    expect(normalisePath('e\u0301'.repeat(100), 200)).toMatchObject({ ok: true });
    expect(normalisePath('e\u0301'.repeat(100), 199)).toMatchObject({ ok: false, problem: { code: 'NAME_TOO_LONG' } });
    expect(normalisePath('abcd', 3)).toMatchObject({ ok: false, problem: { code: 'NAME_TOO_LONG', expected: expect.stringContaining('3 bytes') } });
  });
});

describe('decodeName', () => {
  const cases: [string, Buffer, string | undefined][] = [
    ['ASCII', Buffer.from('a/b.json'), 'a/b.json'],
    ['UTF-8', Buffer.from('日本.json'), '日本.json'],
    ['a BOM kept as a character', Buffer.from([0xef, 0xbb, 0xbf, 0x61]), '\ufeffa'],
    ['latin1 byte', Buffer.from([0x63, 0x61, 0x66, 0xe9]), undefined],
    ['lone continuation byte', Buffer.from([0x80]), undefined],
    ['overlong slash', Buffer.from([0xc0, 0xaf]), undefined],
    ['truncated sequence', Buffer.from([0xe6, 0x97]), undefined],
    ['UTF-16 surrogate encoded in UTF-8', Buffer.from([0xed, 0xa0, 0x80]), undefined],
  ];
  it.each(cases)('%s', (_label, raw, expected) => {
    const verdict = decodeName(raw);
    if (expected === undefined) {
      expect(verdict).toMatchObject({ ok: false, problem: { code: 'INVALID_NAME_ENCODING' } });
    } else {
      expect(verdict).toEqual({ ok: true, name: expected });
    }
  });

  it('passes strings through (names that were decoded upstream)', () => {
    expect(decodeName('x')).toEqual({ ok: true, name: 'x' });
  });
});

describe('displayName', () => {
  it.each([
    [Buffer.from('ok.json'), 'ok.json'],
    [Buffer.from([0x61, 0xff, 0x2f, 0x62]), 'a\\xff/b'],
    [Buffer.from([0xe9]), '\\xe9'],
    ['already text', 'already text'],
  ])('shows %j as %j', (raw, shown) => {
    expect(displayName(raw)).toBe(shown);
  });
});

describe('ancestorsOf', () => {
  it.each([
    ['a', []],
    ['a/b', ['a']],
    ['a/b/c', ['a', 'a/b']],
  ])('%s', (path, ancestors) => {
    expect(ancestorsOf(path)).toEqual(ancestors);
  });
});

describe('compareUtf8', () => {
  it('orders by UTF-8 bytes, where UTF-16 order differs', () => {
    // U+FF5E (fullwidth tilde) sorts before U+1F600 in UTF-8 bytes but after it in UTF-16 units.
    const paths = ['\u{1F600}', '\uFF5E', 'a', 'B', 'a/b', 'a-b'];
    expect([...paths].sort(compareUtf8)).toEqual(['B', 'a', 'a-b', 'a/b', '\uFF5E', '\u{1F600}']);
    expect([...paths].sort()).not.toEqual([...paths].sort(compareUtf8));
  });
});
