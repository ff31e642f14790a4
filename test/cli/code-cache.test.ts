import { readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { spawnCli } from './run-cli';

const CACHE_DIR = resolve(__dirname, '..', '..', 'node_modules', '.cache', 'wickedctl');
const EXAMPLE = resolve(__dirname, '..', '..', 'examples', 'static');
const validateCache = join(CACHE_DIR, 'wickedctl.cjs.validate.v8cache');

describe('bin/wickedctl.js code cache', () => {
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
});
