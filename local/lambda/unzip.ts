import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import yauzl from 'yauzl';

/** Lambda rejects deployment packages over 250 MB unzipped ("Lambda quotas"). */
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;

/**
 * Unpacks a deployment package into `dir`; an entry that would land outside
 * it, or a package over Lambda's unzipped size limit, fails naming the entry.
 *
 * @example
 * await unzipTo(zipBytes, '/state/lambda/build-image/abc123');
 */
export async function unzipTo(bytes: Buffer, dir: string): Promise<string[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.fromBuffer(bytes, { lazyEntries: true }, (error, file) => (error ? reject(error) : resolve(file))));
  const written: string[] = [];
  let total = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          const name = normalize(entry.fileName);
          if (isAbsolute(name) || name.split(sep).includes('..')) throw new Error(`zip entry ${JSON.stringify(entry.fileName)} escapes the code directory`);
          if (entry.fileName.endsWith('/')) { zip.readEntry(); return; }
          total += entry.uncompressedSize;
          if (total > MAX_UNZIPPED_BYTES) throw new Error(`the package unzips to more than ${MAX_UNZIPPED_BYTES} bytes (at ${entry.fileName})`);
          const stream = await new Promise<NodeJS.ReadableStream>((ok, fail) => zip.openReadStream(entry, (error, s) => (error ? fail(error) : ok(s))));
          const chunks: Buffer[] = [];
          for await (const chunk of stream) chunks.push(chunk as Buffer);
          const target = join(dir, name);
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, Buffer.concat(chunks));
          written.push(name);
          zip.readEntry();
        })().catch(reject);
      });
      zip.readEntry();
    });
  } catch (error) {
    throw new Error(`unpacking the deployment package into ${dir}: ${(error as Error).message}`, { cause: error });
  } finally {
    zip.close();
  }
  return written;
}
