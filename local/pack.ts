import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import * as tarStream from 'tar-stream';

/**
 * Packs a directory into a .tar.gz with its files under `static/`, as an
 * operator would archive the kickstarter's static folder.
 */
export async function packTarGz(dir: string, archive: string): Promise<void> {
  const pack = tarStream.pack();
  const done = pipeline(pack, createGzip(), createWriteStream(archive));
  for (const file of await walk(dir)) {
    const info = await stat(file);
    const name = `static/${relative(dir, file).split(sep).join('/')}`;
    await new Promise<void>((resolve, reject) => {
      const entry = pack.entry({ name, size: info.size, mode: info.mode & 0o777, mtime: info.mtime }, (error) => (error ? reject(error) : resolve()));
      createReadStream(file).pipe(entry);
    });
  }
  pack.finalize();
  await done;
}

async function walk(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const item of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) files.push(...(await walk(path)));
    else if (item.isFile()) files.push(path);
  }
  return files.sort();
}
