import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { CliError, ExitCode } from './output';

const run = promisify(execFile);

/** A commit's configuration folder, ready to read as a tar stream. */
export interface GitConfigSource {
  /** The full commit id (`git rev-parse <rev>^{commit}`). */
  readonly commit: string;
  /** The folder inside the commit that holds the configuration. */
  readonly path: string;
  /** Where it came from, for messages: `<repo>@<rev>:<path>`. */
  readonly origin: string;
  /** `git archive` of exactly `<commit>:<path>`: committed content only, never the working tree. */
  open(): Readable;
  /** Removes the temporary clone of a remote repository. */
  dispose(): Promise<void>;
}

/**
 * Resolves `--git <repo-or-path> --rev <rev> [--path static]` with the git
 * CLI. A local repository is read in place; a URL is cloned bare into a
 * temporary directory (with the operator's own git credentials, on this
 * machine: nothing reaches the image). Only the commit's tree is read, so a
 * dirty working tree is irrelevant. Refuses a revision that does not name a
 * commit, a path that is not a folder of it, and a submodule inside it
 * (`git archive` would leave it out silently).
 *
 * @example
 * const source = await resolveGitSource('../wicked-config', 'v1.4.0', 'static');
 * const bundle = await readBundle({ stream: source.open(), name: 'static.tar' }, { origin: source.origin });
 */
export async function resolveGitSource(repo: string, rev: string, path = 'static'): Promise<GitConfigSource> {
  if (rev.startsWith('-') || rev.trim() === '') throw new CliError(`--rev: received ${JSON.stringify(rev)}, expected a branch, tag or commit id`, ExitCode.InvalidInput);
  const folder = normalisePath(path);
  const { dir, dispose } = await repository(repo);
  try {
    const commit = await git(dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]).catch(() => {
      throw new CliError(`--rev: ${JSON.stringify(rev)} is not a commit of ${repo}; expected a branch, tag or commit id that exists there (git fetch first?)`, ExitCode.InvalidInput);
    });
    const type = await git(dir, ['cat-file', '-t', `${commit}:${folder}`]).catch(() => '');
    if (type !== 'tree') {
      throw new CliError(`--path: ${JSON.stringify(folder)} is ${type ? `a ${type}, not a folder,` : 'not'} in commit ${commit.slice(0, 12)} (${rev}) of ${repo}; expected the folder that holds the static configuration (e.g. static)`, ExitCode.InvalidInput);
    }
    const submodules = (await git(dir, ['ls-tree', '-r', '-z', '--full-tree', commit, '--', `${folder}/`])).split('\0').filter((line) => line.startsWith('160000 '));
    if (submodules.length > 0) {
      const names = submodules.map((line) => line.slice(line.indexOf('\t') + 1));
      throw new CliError(`--path ${folder} in ${commit.slice(0, 12)} (${rev}) of ${repo}: contains submodule(s) ${names.join(', ')}; expected plain files (a submodule's content is another repository's commit and is not packed), so nothing was uploaded`, ExitCode.InvalidInput);
    }
    const origin = `${repo}@${rev}:${folder}`;
    return {
      commit, path: folder, origin,
      open: () => {
        const child = spawn('git', ['-C', dir, 'archive', '--format=tar', `${commit}:${folder}`], { stdio: ['ignore', 'pipe', 'pipe'] });
        const stderr: Buffer[] = [];
        child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        child.on('close', (code) => {
          if (code !== 0) child.stdout.destroy(new Error(`git archive ${commit}:${folder} failed (${code}): ${Buffer.concat(stderr).toString().trim()}`));
        });
        return child.stdout;
      },
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** `static`, `./static/`, `config/static` → a path inside the tree without leading `./` or trailing `/`; refuses `..`. */
function normalisePath(path: string): string {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.length === 0 || parts.some((part) => part === '..')) throw new CliError(`--path: received ${JSON.stringify(path)}, expected a folder inside the repository such as static`, ExitCode.InvalidInput);
  return parts.join('/');
}

async function repository(repo: string): Promise<{ dir: string; dispose(): Promise<void> }> {
  const local = resolve(repo);
  const isLocal = await stat(local).then((s) => s.isDirectory(), () => false);
  if (isLocal) {
    await git(local, ['rev-parse', '--git-dir']).catch(() => {
      throw new CliError(`--git: ${repo} is a folder but not a git repository; expected a repository (or a URL git can clone)`, ExitCode.InvalidInput);
    });
    return { dir: local, dispose: async () => undefined };
  }
  if (!/^([a-z][a-z0-9+.-]*:\/\/|[^/\s]+@[^:\s]+:)/i.test(repo)) throw new CliError(`--git: received ${JSON.stringify(repo)}: neither a local folder nor a git URL (https://, ssh://, git@host:path)`, ExitCode.InvalidInput);
  const dir = await mkdtemp(join(tmpdir(), 'wickedctl-git-'));
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    await run('git', ['clone', '--bare', '--quiet', '--', repo, dir], { maxBuffer: 1 << 20 });
  } catch (error) {
    await dispose();
    throw new CliError(`--git: cloning ${repo} failed: ${((error as { stderr?: string }).stderr ?? (error as Error).message).trim()}`, ExitCode.Failure, { cause: error });
  }
  return { dir, dispose };
}

async function git(dir: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run('git', ['-C', dir, ...args], { maxBuffer: 64 << 20 });
  return stdout.trim();
}
