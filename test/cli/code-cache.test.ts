import { readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { spawnCli } from './run-cli';

const CACHE_DIR = resolve(__dirname, '..', '..', 'node_modules', '.cache', 'wickedctl');
const EXAMPLE = resolve(__dirname, '..', '..', 'examples', 'static');
const validateCache = join(CACHE_DIR, 'wickedctl.cjs.validate.v8cache');
const bundle = join(CACHE_DIR, 'wickedctl.cjs');

describe('bin/wickedctl.js bundle and code cache', () => {
  it('keeps one V8 code cache per command, reuses it, and replaces one V8 rejects without failing the command', async () => {
    await rm(validateCache, { force: true });
    const first = await spawnCli(['validate', '--config', EXAMPLE, '--json']);
    expect(first.code).toBe(0);
    const written = await stat(validateCache);
    expect(written.size).toBeGreaterThan(0);

    // accepted: not written again
    expect((await spawnCli(['validate', '--config', EXAMPLE, '--json'])).code).toBe(0);
    expect((await stat(validateCache)).mtimeMs).toBe(written.mtimeMs);

    // rejected (not V8's data): the command still works and the cache is rewritten
    await writeFile(validateCache, 'not a code cache');
    const afterCorruption = await spawnCli(['validate', '--config', EXAMPLE, '--json']);
    expect(afterCorruption).toMatchObject({ code: 0 });
    expect(afterCorruption.stdout).toBe(first.stdout);
    expect((await stat(validateCache)).size).toBeGreaterThan(1000);

    // other commands have their own
    expect((await spawnCli(['--help'])).code).toBe(0);
    expect((await readdir(CACHE_DIR)).filter((name) => name.endsWith('.v8cache'))).toEqual(expect.arrayContaining(['wickedctl.cjs.validate.v8cache', 'wickedctl.cjs.other.v8cache']));
  });

  it('rebuilds a bundle older than the sources before running the command, and one that does not load', async () => {
    const expected = await spawnCli(['validate', '--config', EXAMPLE, '--json']);
    expect(expected.code).toBe(0);
    const current = await readFile(bundle);

    // a stale bundle never runs the command
    await writeFile(bundle, "module.exports = { main: async () => { process.stdout.write('stale bundle ran'); return 0; } };");
    await utimes(bundle, new Date('2001-01-01T00:00:00Z'), new Date('2001-01-01T00:00:00Z'));
    const afterStale = await spawnCli(['validate', '--config', EXAMPLE, '--json']);
    expect(afterStale).toMatchObject({ code: 0, stdout: expected.stdout });
    expect((await stat(bundle)).mtimeMs).toBeGreaterThan(Date.parse('2020-01-01T00:00:00Z'));
    expect((await readFile(bundle)).equals(current)).toBe(true);

    await writeFile(bundle, 'this is not JavaScript (');
    const afterBroken = await spawnCli(['validate', '--config', EXAMPLE, '--json']);
    expect(afterBroken).toMatchObject({ code: 0, stdout: expected.stdout });
    expect((await readFile(bundle)).equals(current)).toBe(true);
  });
});
