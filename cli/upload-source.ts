import type { BundleSource } from '../shared/config-bundle';
import { resolveGitSource } from './git-source';
import { CliError, ExitCode } from './output';

/** Where `upload` takes the configuration from: a folder or archive, or a commit of a git repository. */
export type UploadSourceOptions =
  | { readonly kind: 'path'; readonly config: string }
  | { readonly kind: 'git'; readonly repo: string; readonly rev: string; readonly path: string };

/** An opened upload source: what to read, how to name it, the commit (git only), and cleanup. */
export interface UploadSource {
  /** What to read; a git source starts `git archive` only now. */
  bundle(): BundleSource;
  readonly origin: string;
  readonly revision?: string;
  dispose(): Promise<void>;
}

/**
 * Checks `--config` against `--git/--rev/--path`, purely: exactly one source,
 * and `--rev` with `--git`.
 *
 * @example
 * uploadSourceOptions({ git: '.', rev: 'main', path: 'static' }) // { kind: 'git', repo: '.', rev: 'main', path: 'static' }
 */
export function uploadSourceOptions(options: { config?: string; git?: string; rev?: string; path?: string }): UploadSourceOptions {
  if (options.config !== undefined && options.git !== undefined) throw new CliError('--config and --git: received both, expected one source of configuration', ExitCode.InvalidInput);
  if (options.git !== undefined) {
    if (options.rev === undefined) throw new CliError('--git: received no --rev, expected --rev <branch|tag|commit> naming the commit to deploy', ExitCode.InvalidInput);
    return { kind: 'git', repo: options.git, rev: options.rev, path: options.path ?? 'static' };
  }
  if (options.rev !== undefined) throw new CliError('--rev: received without --git, expected --git <repo-or-path> with it', ExitCode.InvalidInput);
  if (options.config === undefined) throw new CliError('no configuration: expected --config <folder|archive> or --git <repo-or-path> --rev <rev>', ExitCode.InvalidInput);
  return { kind: 'path', config: options.config };
}

/** Opens the source; a git source resolves the commit (and clones a URL) first. */
export async function openUploadSource(options: UploadSourceOptions): Promise<UploadSource> {
  if (options.kind === 'path') return { bundle: () => ({ path: options.config }), origin: options.config, dispose: async () => undefined };
  const git = await resolveGitSource(options.repo, options.rev, options.path);
  return { bundle: () => ({ stream: git.open(), name: `${git.path}.tar` }), origin: `${git.origin} (${git.commit.slice(0, 12)})`, revision: git.commit, dispose: () => git.dispose() };
}
