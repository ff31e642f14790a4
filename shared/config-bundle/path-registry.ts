import type { BundleProblem } from './errors';
import { ancestorsOf } from './paths';

const EXPECTED = 'each path to name exactly one file or directory after normalisation';

/**
 * Remembers every normalised path seen so far and refuses collisions: the same file twice
 * (`a//b` vs `a/b`, `./a` vs `a`, NFC vs NFD, a duplicate entry), and a file where another
 * entry needs a directory (file `a` and file `a/b`, file `a` and directory `a/`).
 *
 * @example
 * const registry = new PathRegistry();
 * registry.addFile('a/b', 'a//b'); // undefined
 * registry.addFile('a/b', 'a/b')?.code; // 'PATH_COLLISION'
 */
export class PathRegistry {
  private readonly files = new Map<string, string>();
  private readonly directories = new Map<string, string>();
  private readonly explicit = new Set<string>();

  /** Registers a file; returns the collision it causes, if any. */
  addFile(path: string, display: string): BundleProblem | undefined {
    const file = this.files.get(path);
    if (file !== undefined) return collision(display, `collides with "${file}": both name "${path}"`);
    const directory = this.directories.get(path);
    if (directory !== undefined) return collision(display, `is a file, but "${directory}" needs "${path}" to be a directory`);
    const problem = this.addAncestors(path, display);
    if (problem) return problem;
    this.files.set(path, display);
    return undefined;
  }

  /** Registers a directory entry (the root `''` is ignored); returns the collision it causes, if any. */
  addDirectory(path: string, display: string): BundleProblem | undefined {
    if (path === '') return undefined;
    const file = this.files.get(path);
    if (file !== undefined) return collision(display, `is a directory, but "${file}" is a file of the same name`);
    const problem = this.addAncestors(path, display);
    if (problem) return problem;
    if (!this.directories.has(path)) this.directories.set(path, display);
    this.explicit.add(path);
    return undefined;
  }

  /** Directories that appeared as entries of their own (not only as parents of files). */
  explicitDirectories(): string[] {
    return [...this.explicit];
  }

  private addAncestors(path: string, display: string): BundleProblem | undefined {
    const ancestors = ancestorsOf(path);
    const clash = ancestors.find((ancestor) => this.files.has(ancestor));
    if (clash !== undefined) {
      return collision(display, `needs "${clash}" to be a directory, but "${this.files.get(clash)}" is a file`);
    }
    for (const ancestor of ancestors) if (!this.directories.has(ancestor)) this.directories.set(ancestor, display);
    return undefined;
  }
}

function collision(path: string, problem: string): BundleProblem {
  return { code: 'PATH_COLLISION', path, problem, expected: EXPECTED };
}
