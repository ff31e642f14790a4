import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleError, readBundle } from '../../shared/config-bundle';
import { SMALL_FILE_BYTES } from '../../shared/config-bundle/read-directory';
import { collect, writeDirectory } from './archive-builders';

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'bundle-directory-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh directory holding `globals.json`, so that only the case under test can refuse it. */
async function tree(): Promise<string> {
  const dir = join(root, `tree-${(counter += 1)}`);
  await writeDirectory(dir, [{ path: 'globals.json', content: Buffer.from('{}'), executable: false }]);
  return dir;
}

async function refusal(path: string): Promise<BundleError> {
  try {
    await readBundle({ path });
  } catch (error) {
    if (error instanceof BundleError) return error;
    throw error;
  }
  throw new Error(`${path} was accepted`);
}

describe('readBundle from a directory', () => {
  it('reads files with their modes, streams the originals, strips static/ and needs no close()', async () => {
    const dir = join(root, 'plain');
    await writeDirectory(join(dir, 'static'), [
      { path: 'globals.json', content: Buffer.from('{"a":1}'), executable: false },
      { path: 'env/default.json', content: Buffer.from('{}'), executable: false },
      { path: 'bin/start.sh', content: Buffer.from('#!/bin/sh'), executable: true },
    ]);
    const bundle = await readBundle({ path: dir });
    expect(bundle).toMatchObject({ format: 'directory', origin: dir, warnings: [] });
    expect(bundle.entries.map((entry) => [entry.path, entry.mode, entry.size])).toEqual([
      ['bin/start.sh', 0o755, 9],
      ['env/default.json', 0o644, 2],
      ['globals.json', 0o644, 7],
    ]);
    expect((await collect(bundle.entries[2].open())).toString()).toBe('{"a":1}');
    await bundle.close();
  });

  it('reads small files in one call and streams large ones, with the same bytes every time they are opened', async () => {
    const dir = await tree();
    const small = Buffer.alloc(SMALL_FILE_BYTES, 'a');
    const large = Buffer.concat([Buffer.alloc(SMALL_FILE_BYTES, 'b'), Buffer.from('c')]);
    await writeFile(join(dir, 'small.md'), small);
    await writeFile(join(dir, 'large.md'), large);
    await writeFile(join(dir, 'empty.md'), '');
    const bundle = await readBundle({ path: dir });
    const byPath = new Map(bundle.entries.map((entry) => [entry.path, entry]));
    for (let round = 0; round < 2; round++) {
      const chunks: Buffer[] = [];
      for await (const chunk of byPath.get('small.md')!.open()) chunks.push(chunk as Buffer);
      expect(chunks).toHaveLength(1); // the whole file at once
      expect(Buffer.concat(chunks).equals(small)).toBe(true);
      expect((await collect(byPath.get('large.md')!.open())).equals(large)).toBe(true);
      expect((await collect(byPath.get('empty.md')!.open())).length).toBe(0);
    }
  });

  it('fails the stream of a small file that disappeared after the walk, naming the file', async () => {
    const dir = await tree();
    await writeFile(join(dir, 'gone.json'), '{}');
    const bundle = await readBundle({ path: dir });
    await rm(join(dir, 'gone.json'));
    const entry = bundle.entries.find((candidate) => candidate.path === 'gone.json')!;
    await expect(collect(entry.open())).rejects.toThrow(/ENOENT.*gone\.json/);
  });

  it('skips *envkey files and .git folders with warnings, without entering .git', async () => {
    const dir = await tree();
    await writeFile(join(dir, 'deploy.envkey'), 'secret');
    await mkdir(join(dir, '.git', 'hooks'), { recursive: true });
    await symlink('/etc/passwd', join(dir, '.git', 'hooks', 'evil'));
    await writeFile(join(dir, '.git', 'bad\\name'), 'would be refused if .git were entered');
    await mkdir(join(dir, 'empty'));
    const bundle = await readBundle({ path: dir });
    expect(bundle.entries.map((entry) => entry.path)).toEqual(['globals.json']);
    expect(bundle.warnings.map((warning) => `${warning.code}:${warning.path}`)).toEqual([
      'GIT_SKIPPED:.git',
      'ENVKEY_SKIPPED:deploy.envkey',
      'EMPTY_DIRECTORY_IGNORED:empty',
    ]);
    expect(bundle.warnings[1].message).toContain('PORTAL_CONFIG_KEY');
  });

  it('follows a symlink given as the root, but refuses symlinks inside', async () => {
    const dir = await tree();
    const link = join(root, `root-link-${counter}`);
    await symlink(dir, link);
    expect((await readBundle({ path: link })).entries).toHaveLength(1);
    await symlink('globals.json', join(dir, 'alias.json'));
    expect(await refusal(link)).toMatchObject({ code: 'LINK_NOT_ALLOWED', path: 'alias.json' });
    expect((await refusal(link)).message).toBe(
      `reading config directory ${link}: entry "alias.json" is a symbolic link (expected regular files and directories only; copy the target into place)`,
    );
  });

  it('refuses a fifo', async () => {
    const dir = await tree();
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    expect(await refusal(dir)).toMatchObject({ code: 'SPECIAL_FILE', path: 'pipe' });
  });

  it('refuses a socket', async () => {
    const dir = await tree();
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, 'sock'), resolve));
    try {
      expect(await refusal(dir)).toMatchObject({ code: 'SPECIAL_FILE', path: 'sock' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a name that is not UTF-8, from its raw bytes', async () => {
    const dir = await tree();
    await writeFile(Buffer.from(`${dir}/caf\xe9.json`, 'latin1'), '{}');
    expect(await refusal(dir)).toMatchObject({ code: 'INVALID_NAME_ENCODING', path: 'caf\\xe9.json' });
  });

  it('refuses two names that are equal after NFC normalisation', async () => {
    const dir = await tree();
    await writeFile(join(dir, 'caf\u00e9.json'), '1');
    await writeFile(join(dir, 'cafe\u0301.json'), '2');
    expect(await refusal(dir)).toMatchObject({ code: 'PATH_COLLISION' });
  });

  it('refuses a backslash in a name and applies the entry limit while walking', async () => {
    const dir = await tree();
    await writeFile(join(dir, 'env\\default.json'), '{}');
    expect(await refusal(dir)).toMatchObject({ code: 'INVALID_NAME', path: 'env\\default.json' });
    const many = await tree();
    await mkdir(join(many, 'a', 'b'), { recursive: true });
    await expect(readBundle({ path: many }, { limits: { maxEntries: 2 } })).rejects.toMatchObject({ code: 'TOO_MANY_ENTRIES' });
    await expect(readBundle({ path: many }, { limits: { maxEntries: 3 } })).resolves.toMatchObject({ format: 'directory' });
  });

  it('refuses a directory without files', async () => {
    const dir = join(root, 'only-git');
    await mkdir(join(dir, '.git'), { recursive: true });
    await writeFile(join(dir, 'deploy.envkey'), 'k');
    expect(await refusal(dir)).toMatchObject({ code: 'EMPTY_BUNDLE' });
  });
});
