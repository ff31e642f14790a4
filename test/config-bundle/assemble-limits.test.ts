import { assembleEntries, emptyDirectoryWarnings, stripTopFolder } from '../../shared/config-bundle/assemble';
import { LimitMeter, RATIO_FLOOR_BYTES, resolveLimits } from '../../shared/config-bundle/limits';
import { DEFAULT_LIMITS, type BundleLimits, type BundleWarning } from '../../shared/config-bundle/types';

describe('stripTopFolder', () => {
  it.each([
    [['static/a.json', 'static/env/b.json'], ['a.json', 'env/b.json']],
    [['static/a.json', 'other.json'], ['static/a.json', 'other.json']],
    [['static'], ['static']],
    [['statics/a'], ['statics/a']],
    [['Static/a'], ['Static/a']],
    [['static/static/a'], ['static/a']],
    [[], []],
  ])('%j gives %j', (paths, expected) => {
    expect(stripTopFolder(paths)).toEqual(expected);
  });
});

describe('emptyDirectoryWarnings', () => {
  it('warns about explicit directories without files only', () => {
    const warnings = emptyDirectoryWarnings(['a', 'a/b', 'c', 'd/e'], ['a/b/x.json', 'd/f.json']);
    expect(warnings.map((warning) => warning.path)).toEqual(['c', 'd/e']);
    expect(warnings.every((warning) => warning.code === 'EMPTY_DIRECTORY_IGNORED')).toBe(true);
  });
});

describe('assembleEntries', () => {
  const entry = (path: string) => ({ path, mode: 0o644 as const });
  const git: BundleWarning = { code: 'GIT_SKIPPED', path: 'static/.git', message: 'skipped' };

  it('strips static/, sorts by UTF-8 bytes, keeps other fields, and sorts warnings', () => {
    const verdict = assembleEntries([entry('static/\u{1F600}'), entry('static/b'), entry('static/\uFF5E'), entry('static/a/x')], ['static/empty'], [git]);
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect(verdict.entries).toEqual([entry('a/x'), entry('b'), entry('\uFF5E'), entry('\u{1F600}')]);
    expect(verdict.warnings.map((warning) => `${warning.code}:${warning.path}`)).toEqual(['GIT_SKIPPED:static/.git', 'EMPTY_DIRECTORY_IGNORED:static/empty']);
  });

  it('refuses an empty result and says how much was skipped', () => {
    expect(assembleEntries([], [], [])).toMatchObject({ ok: false, problem: { code: 'EMPTY_BUNDLE', problem: 'contains no regular files' } });
    expect(assembleEntries([], [], [git])).toMatchObject({ ok: false, problem: { problem: expect.stringContaining('1 skipped') } });
  });
});

describe('resolveLimits', () => {
  it('merges over the defaults', () => {
    expect(resolveLimits()).toEqual({ ok: true, limits: DEFAULT_LIMITS });
    expect(resolveLimits({ maxEntries: 5, maxCompressionRatio: 2.5 })).toEqual({ ok: true, limits: { ...DEFAULT_LIMITS, maxEntries: 5, maxCompressionRatio: 2.5 } });
  });

  it.each([
    [{ maxEntrys: 5 }, 'unknown limit "maxEntrys"'],
    [{ maxEntries: 0 }, 'maxEntries = 0'],
    [{ maxEntries: 1.5 }, 'maxEntries = 1.5'],
    [{ maxTotalBytes: -1 }, 'maxTotalBytes = -1'],
    [{ maxSegmentBytes: Number.NaN }, 'maxSegmentBytes = NaN'],
    [{ maxCompressionRatio: 0 }, 'maxCompressionRatio = 0'],
    [{ maxEntries: '5' }, 'maxEntries = 5'],
  ])('refuses %j', (limits, problem) => {
    const verdict = resolveLimits(limits as unknown as Partial<BundleLimits>);
    expect(verdict).toMatchObject({ ok: false, problem: { code: 'INVALID_OPTIONS', problem: expect.stringContaining(problem) } });
  });
});

describe('LimitMeter', () => {
  const limits: BundleLimits = { maxEntries: 2, maxTotalBytes: 10_000, maxCompressionRatio: 10, maxSegmentBytes: 255 };

  it('counts entries up to the limit', () => {
    const meter = new LimitMeter(limits);
    expect(meter.countEntry()).toBeUndefined();
    expect(meter.countEntry()).toBeUndefined();
    expect(meter.countEntry()).toMatchObject({ code: 'TOO_MANY_ENTRIES', expected: 'at most 2 entries (limits.maxEntries)' });
  });

  it('refuses more bytes than the limit', () => {
    const meter = new LimitMeter(limits);
    expect(meter.addUncompressed(10_000)).toBeUndefined();
    expect(meter.addUncompressed(1)).toMatchObject({ code: 'TOO_LARGE' });
  });

  it.each([
    ['below the floor, any ratio passes', 1_000, 1, 1_000, undefined],
    ['above the floor, within the ratio', 100, 100, 1_000, undefined],
    ['above the floor, beyond the ratio', 100, 100, 1_001, 'COMPRESSION_RATIO'],
    ['no compressed input: not a compressed format', 100, 0, 9_000, undefined],
  ])('ratio: %s', (_label, floor, compressed, uncompressed, code) => {
    const meter = new LimitMeter(limits, floor);
    meter.setCompressed(compressed);
    expect(meter.addUncompressed(uncompressed)?.code).toBe(code);
  });

  it('checks declared sizes before anything is read', () => {
    const meter = new LimitMeter(limits, 100);
    meter.setCompressed(50);
    expect(meter.declareUncompressed(400)).toBeUndefined();
    expect(meter.declareUncompressed(200)).toMatchObject({ code: 'COMPRESSION_RATIO' });
    expect(new LimitMeter(limits).declareUncompressed(10_001)).toMatchObject({ code: 'TOO_LARGE' });
    expect(meter.totals()).toEqual({ entries: 0, compressed: 50, uncompressed: 0 });
  });

  it('keeps the compressed total monotonic and has a 1 MiB default floor', () => {
    const meter = new LimitMeter(limits);
    meter.setCompressed(10);
    meter.setCompressed(5);
    expect(meter.totals().compressed).toBe(10);
    expect(RATIO_FLOOR_BYTES).toBe(1024 * 1024);
  });
});
