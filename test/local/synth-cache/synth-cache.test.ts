import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cachedAssembly, SYNTH_CACHE_ENTRIES, SynthCacheError, synthInputsHash } from '../../../local/synth-cache';

const INPUTS = ['infra', 'functions', 'shared', 'cdk.json', 'package-lock.json'];

/** A small stand-in repository: the inputs and a file that is not one. */
async function fakeRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'synth-cache-'));
  await mkdir(join(root, 'infra', 'constructs'), { recursive: true });
  await mkdir(join(root, 'functions', 'build-image'), { recursive: true });
  await mkdir(join(root, 'shared'), { recursive: true });
  await writeFile(join(root, 'infra', 'app.ts'), 'app();\n');
  await writeFile(join(root, 'infra', 'constructs', 'bucket.ts'), 'bucket();\n');
  await writeFile(join(root, 'functions', 'build-image', 'handler.ts'), 'handler();\n');
  await writeFile(join(root, 'shared', 'index.ts'), 'shared();\n');
  await writeFile(join(root, 'cdk.json'), '{"app":"x"}\n');
  await writeFile(join(root, 'package-lock.json'), '{"lockfileVersion":3}\n');
  await writeFile(join(root, 'README.md'), 'docs\n');
  return root;
}

/** A synthesis stand-in that writes a manifest and counts its runs. */
function countingSynth(): { runs: string[]; synth: (outDir: string) => Promise<void> } {
  const runs: string[] = [];
  return {
    runs,
    synth: async (outDir) => {
      runs.push(outDir);
      await mkdir(outDir, { recursive: true });
      await writeFile(join(outDir, 'manifest.json'), '{}');
    },
  };
}

describe('synthInputsHash', () => {
  let root: string;
  beforeEach(async () => { root = await fakeRoot(); });
  afterEach(async () => { await rm(root, { recursive: true, force: true }); });

  const edits: [string, boolean, (root: string) => Promise<unknown>][] = [
    ['an edit to the app', true, (r) => writeFile(join(r, 'infra', 'app.ts'), 'app(2);\n')],
    ['an edit deep under infra/', true, (r) => writeFile(join(r, 'infra', 'constructs', 'bucket.ts'), 'bucket(2);\n')],
    ['an edit to a handler', true, (r) => writeFile(join(r, 'functions', 'build-image', 'handler.ts'), 'handler(2);\n')],
    ['a new file under shared/', true, (r) => writeFile(join(r, 'shared', 'more.ts'), '')],
    ['a renamed file (same bytes)', true, async (r) => { await rm(join(r, 'shared', 'index.ts')); await writeFile(join(r, 'shared', 'other.ts'), 'shared();\n'); }],
    ['an edit to cdk.json', true, (r) => writeFile(join(r, 'cdk.json'), '{"app":"y"}\n')],
    ['a changed dependency lock', true, (r) => writeFile(join(r, 'package-lock.json'), '{"lockfileVersion":3,"x":1}\n')],
    ['cdk.json removed', true, (r) => rm(join(r, 'cdk.json'))],
    ['an edit to the README (not an input)', false, (r) => writeFile(join(r, 'README.md'), 'other docs\n')],
    ['a file in a node_modules folder under infra/', false, async (r) => { await mkdir(join(r, 'infra', 'node_modules')); await writeFile(join(r, 'infra', 'node_modules', 'x.js'), ''); }],
    ['rewriting a file with the same bytes', false, (r) => writeFile(join(r, 'infra', 'app.ts'), 'app();\n')],
  ];
  it.each(edits)('%s: hash changes = %s', async (_name, changes, edit) => {
    const before = await synthInputsHash({ root, inputs: INPUTS });
    await edit(root);
    const after = await synthInputsHash({ root, inputs: INPUTS });
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(after !== before).toBe(changes);
  });

  it('the extra context is part of the hash, whatever its key order', async () => {
    const none = await synthInputsHash({ root, inputs: INPUTS });
    const ab = await synthInputsHash({ root, inputs: INPUTS, context: { a: '1', b: '2' } });
    const ba = await synthInputsHash({ root, inputs: INPUTS, context: { b: '2', a: '1' } });
    const other = await synthInputsHash({ root, inputs: INPUTS, context: { a: '1', b: '3' } });
    expect(ab).toBe(ba);
    expect(new Set([none, ab, other]).size).toBe(3);
  });

  it('another app command is part of the hash', async () => {
    const cdkJsonApp = await synthInputsHash({ root, inputs: INPUTS });
    const fixture = await synthInputsHash({ root, inputs: INPUTS, app: 'npx tsx test/e2e/fixtures/tiny-app.ts' });
    const other = await synthInputsHash({ root, inputs: INPUTS, app: 'npx tsx test/e2e/fixtures/service-app.ts' });
    expect(new Set([cdkJsonApp, fixture, other]).size).toBe(3);
  });

  it('the default inputs of the real repository hash the same twice', async () => {
    const repo = resolve(__dirname, '..', '..', '..');
    expect(await synthInputsHash({ root: repo })).toBe(await synthInputsHash({ root: repo }));
  });
});

describe('cachedAssembly', () => {
  let root: string;
  let cacheDir: string;
  beforeEach(async () => {
    root = await fakeRoot();
    cacheDir = join(root, '.cache');
  });
  afterEach(async () => { await rm(root, { recursive: true, force: true }); });

  it('synthesizes once per input hash and reuses the entry; an input change gives a new entry', async () => {
    const { runs, synth } = countingSynth();
    const first = await cachedAssembly({ root, cacheDir, inputs: INPUTS, synth });
    const again = await cachedAssembly({ root, cacheDir, inputs: INPUTS, synth });
    expect(again).toBe(first);
    expect(runs).toHaveLength(1);
    expect(first).toBe(join(cacheDir, `cdk.out-${await synthInputsHash({ root, inputs: INPUTS })}`));
    await writeFile(join(root, 'infra', 'app.ts'), 'app(2);\n');
    const changed = await cachedAssembly({ root, cacheDir, inputs: INPUTS, synth });
    expect(changed).not.toBe(first);
    expect(runs).toHaveLength(2);
    expect(existsSync(join(changed, 'manifest.json'))).toBe(true);
    // No lock and no partial directory left behind.
    expect((await readdir(cacheDir)).sort()).toEqual([first, changed].map((d) => d.slice(cacheDir.length + 1)).sort());
  });

  it(`keeps the ${SYNTH_CACHE_ENTRIES} most recently used entries`, async () => {
    const { synth } = countingSynth();
    const made: string[] = [];
    for (let i = 0; i < SYNTH_CACHE_ENTRIES; i++) made.push(await cachedAssembly({ root, cacheDir, inputs: INPUTS, context: { n: String(i) }, synth }));
    // Used long ago, in creation order (explicit times: entries made within one millisecond would tie).
    for (const [i, dir] of made.entries()) await utimes(dir, new Date((i + 1) * 1000), new Date((i + 1) * 1000));
    // Reusing the oldest makes it the most recent: the next new entry drops the second instead.
    expect(await cachedAssembly({ root, cacheDir, inputs: INPUTS, context: { n: '0' }, synth })).toBe(made[0]);
    const added = await cachedAssembly({ root, cacheDir, inputs: INPUTS, context: { n: 'new' }, synth });
    expect((await readdir(cacheDir)).sort()).toEqual([added, ...made.filter((_, i) => i !== 1)].map((d) => d.slice(cacheDir.length + 1)).sort());
  });

  it('concurrent calls in one process synthesize once and all get the same directory', async () => {
    const { runs, synth } = countingSynth();
    const dirs = await Promise.all(Array.from({ length: 6 }, () => cachedAssembly({ root, cacheDir, inputs: INPUTS, synth })));
    expect(new Set(dirs).size).toBe(1);
    expect(runs).toHaveLength(1);
  });

  it('several processes at once: one synthesizes while the others wait for it, all get the same directory', async () => {
    const counter = join(root, 'synth-runs');
    const fixture = join(__dirname, 'fixtures', 'ask-cache.ts');
    const children = Array.from({ length: 3 }, () => spawn('npx', ['tsx', fixture, root, cacheDir, counter], { stdio: ['pipe', 'pipe', 'pipe'] }));
    const outputs = children.map(() => '');
    const reported = new Promise<void>((ready) => {
      children.forEach((child, i) => child.stdout.on('data', (chunk: Buffer) => {
        outputs[i] += chunk.toString('utf8');
        if (outputs.every((o) => /progress: (synthesizing|waiting)/.test(o))) ready();
      }));
    });
    const exits = children.map((child) => new Promise<number | null>((done) => child.on('close', done)));
    // Every process has either taken the lock (and is inside its synthesis) or is waiting for it: now let the synthesis finish.
    await reported;
    expect(outputs.filter((o) => o.includes('progress: synthesizing'))).toHaveLength(1);
    expect(outputs.filter((o) => o.includes('progress: waiting'))).toHaveLength(2);
    for (const child of children) child.stdin.end('go\n');
    expect(await Promise.all(exits)).toEqual([0, 0, 0]);
    const dirs = outputs.map((o) => /assembly: (.+)/.exec(o)?.[1]);
    expect(new Set(dirs).size).toBe(1);
    expect((await readFile(counter, 'utf8')).trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(await readFile(join(dirs[0]!, 'manifest.json'), 'utf8'))).toMatchObject({ version: 'test' });
  }, 60_000);

  it('a lock left by a dead process is taken over', async () => {
    const dead = spawn(process.execPath, ['-e', '']);
    const pid = dead.pid!;
    await new Promise((done) => dead.on('close', done));
    const hash = await synthInputsHash({ root, inputs: INPUTS });
    await mkdir(cacheDir, { recursive: true });
    await writeFile(join(cacheDir, `cdk.out-${hash}.lock`), `${pid}\n`);
    const { runs, synth } = countingSynth();
    const dir = await cachedAssembly({ root, cacheDir, inputs: INPUTS, synth });
    expect(runs).toHaveLength(1);
    expect(existsSync(join(dir, 'manifest.json'))).toBe(true);
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it('a failed synthesis leaves no entry and no lock; the next call synthesizes again', async () => {
    const failing = async (outDir: string): Promise<void> => {
      await mkdir(outDir, { recursive: true });
      await writeFile(join(outDir, 'half-written.json'), '{');
      throw new Error('cdk-nag found AwsSolutions-S1');
    };
    await expect(cachedAssembly({ root, cacheDir, inputs: INPUTS, synth: failing })).rejects.toThrow('AwsSolutions-S1');
    expect(await readdir(cacheDir)).toEqual([]);
    const { runs, synth } = countingSynth();
    await cachedAssembly({ root, cacheDir, inputs: INPUTS, synth });
    expect(runs).toHaveLength(1);
  });

  it('a synthesis that writes no manifest is an error naming the directory', async () => {
    const empty = async (outDir: string): Promise<void> => { await mkdir(outDir, { recursive: true }); };
    const error = await cachedAssembly({ root, cacheDir, inputs: INPUTS, synth: empty }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SynthCacheError);
    expect(error).toMatchObject({ code: 'SynthFailed', message: expect.stringMatching(/wrote no manifest\.json into .*cdk\.out-[0-9a-f]{64}\.partial-/) });
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('an entry of another kind is complete with its own entry file: made once, reused; one without it is an error naming that file', async () => {
    const runs: string[] = [];
    const record = async (outDir: string): Promise<void> => {
      runs.push(outDir);
      await mkdir(outDir, { recursive: true });
      await writeFile(join(outDir, 'recording.json'), '{"recorded":true}');
    };
    const options = { root, cacheDir, inputs: ['package-lock.json'], app: 'a recording', entryFile: 'recording.json' };
    const first = await cachedAssembly({ ...options, synth: record });
    expect(await cachedAssembly({ ...options, synth: record })).toBe(first);
    expect(runs).toHaveLength(1);
    expect(JSON.parse(await readFile(join(first, 'recording.json'), 'utf8'))).toEqual({ recorded: true });
    // A manifest alone does not complete such an entry.
    const error = await cachedAssembly({ ...options, app: 'another recording', synth: countingSynth().synth }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SynthFailed', message: expect.stringMatching(/wrote no recording\.json into .*: expected the entry's recording\.json/) });
  });

  it('rejects context that cannot be passed as -c key=value', async () => {
    await expect(cachedAssembly({ root, cacheDir, inputs: INPUTS, context: { 'a b': '1' }, synth: countingSynth().synth })).rejects.toMatchObject({ code: 'InvalidContext' });
  });
});
