import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root (where this project's package.json is), found from this
 * module's location whether it runs from source or from the CLI bundle.
 */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'wicked-control-plane') return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the wicked-control-plane package above ${from}`);
  }
}
