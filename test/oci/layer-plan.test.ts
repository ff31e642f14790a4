import { Readable } from 'node:stream';
import type { BundleEntry } from '../../shared/config-bundle/types';
import { LayerBuildError } from '../../shared/oci/errors';
import { planLayer } from '../../shared/oci/layer-plan';

const entry = (path: string, mode: 0o644 | 0o755 = 0o644, size = 1): BundleEntry => ({ path, mode, size, open: () => Readable.from([Buffer.alloc(size)]) });

describe('planLayer', () => {
  it('lists the root directories, every sub-directory and the files, sorted by bytes', () => {
    const plan = planLayer([entry('z.json'), entry('env/prod.json'), entry('env/default.json'), entry('a-b/c.json')]);
    expect(plan.map((i) => `${i.type === 'directory' ? 'd' : 'f'} ${i.mode.toString(8)} ${i.name}`)).toEqual([
      'd 755 var/',
      'd 755 var/portal-api/',
      'd 755 var/portal-api/static/',
      'f 644 var/portal-api/static/.wh..wh..opq',
      'd 755 var/portal-api/static/a-b/',
      'f 644 var/portal-api/static/a-b/c.json',
      'd 755 var/portal-api/static/env/',
      'f 644 var/portal-api/static/env/default.json',
      'f 644 var/portal-api/static/env/prod.json',
      'f 644 var/portal-api/static/z.json',
    ]);
  });

  it.each([
    ['0644 file', 0o644, 0o644],
    ['0755 file', 0o755, 0o755],
  ] as const)('keeps the mode of a %s', (_title, mode, expected) => {
    expect(planLayer([entry('bin/x', mode)]).at(-1)?.mode).toBe(expected);
  });

  it('gives an empty bundle only the root directories and the opaque whiteout', () => {
    expect(planLayer([]).map((i) => i.name)).toEqual(['var/', 'var/portal-api/', 'var/portal-api/static/', 'var/portal-api/static/.wh..wh..opq']);
  });

  it('marks the root opaque with an empty 0644 file, unless asked not to', () => {
    expect(planLayer([]).at(-1)).toEqual({ name: 'var/portal-api/static/.wh..wh..opq', type: 'file', mode: 0o644, size: 0 });
    expect(planLayer([], undefined, { opaque: false }).map((i) => i.name)).toEqual(['var/', 'var/portal-api/', 'var/portal-api/static/']);
  });

  it('honours another root', () => {
    expect(planLayer([entry('a')], 'etc/cfg').map((i) => i.name)).toEqual(['etc/', 'etc/cfg/', 'etc/cfg/.wh..wh..opq', 'etc/cfg/a']);
  });

  it('sorts by UTF-8 bytes, not UTF-16 code units', () => {
    const names = planLayer([entry('\u{1F600}.json'), entry('\uFF21.json')]).slice(4).map((i) => i.name.slice('var/portal-api/static/'.length));
    expect(names).toEqual(['\uFF21.json', '\u{1F600}.json']);
  });

  it.each([
    ['absolute path', [entry('/etc/passwd')], 'LAYER_INVALID_PATH'],
    ['dot-dot segment', [entry('../x')], 'LAYER_INVALID_PATH'],
    ['dot segment', [entry('a/./b')], 'LAYER_INVALID_PATH'],
    ['empty segment', [entry('a//b')], 'LAYER_INVALID_PATH'],
    ['trailing slash', [entry('a/')], 'LAYER_INVALID_PATH'],
    ['empty path', [entry('')], 'LAYER_INVALID_PATH'],
    ['NUL', [entry('a\u0000b')], 'LAYER_INVALID_PATH'],
    ['duplicate', [entry('a.json'), entry('a.json')], 'LAYER_PATH_CONFLICT'],
    ['file and directory', [entry('env'), entry('env/default.json')], 'LAYER_PATH_CONFLICT'],
    ['negative size', [entry('a', 0o644, -1)], 'LAYER_SIZE_MISMATCH'],
    ['the whiteout marker as an entry', [entry('.wh..wh..opq')], 'LAYER_PATH_CONFLICT'],
  ])('rejects %s', (_title, entries, code) => {
    let caught: unknown;
    try {
      planLayer(entries);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LayerBuildError);
    expect((caught as LayerBuildError).code).toBe(code);
    expect((caught as LayerBuildError).message).toMatch(/expected/);
  });
});
