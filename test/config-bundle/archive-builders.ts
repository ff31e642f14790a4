import { createHash } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import * as yazl from 'yazl';
import type { ConfigBundle } from '../../shared/config-bundle';

/** A file for the builders: its path (POSIX), content and execute bit. */
export interface TestFile {
  readonly path: string;
  readonly content: Buffer;
  readonly executable: boolean;
}

/** What a test compares: everything a bundle entry says, content as sha256. */
export interface EntrySummary {
  readonly path: string;
  readonly mode: number;
  readonly size: number;
  readonly sha256: string;
}

/** Parent directories of the files, outermost first, for archives with explicit directory entries. */
export function parentDirectories(files: readonly TestFile[]): string[] {
  const directories = new Set<string>();
  for (const file of files) {
    const segments = file.path.split('/');
    for (let index = 1; index < segments.length; index += 1) directories.add(segments.slice(0, index).join('/'));
  }
  return [...directories].sort();
}

/** Writes the files into `root`, with 0755 or 0644 modes. */
export async function writeDirectory(root: string, files: readonly TestFile[]): Promise<void> {
  for (const file of files) {
    const target = join(root, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
    await chmod(target, file.executable ? 0o755 : 0o644);
  }
}

/** Builds a tar with tar-stream (PAX headers for long names), optionally with directory entries. */
export async function buildTar(files: readonly TestFile[], options: { directories?: boolean } = {}): Promise<Buffer> {
  const pack = tar.pack();
  if (options.directories) for (const name of parentDirectories(files)) pack.entry({ name, type: 'directory', mode: 0o755 });
  for (const file of files) pack.entry({ name: file.path, mode: file.executable ? 0o755 : 0o644, size: file.content.length }, file.content);
  pack.finalize();
  return collect(pack as unknown as AsyncIterable<Uint8Array>);
}

/** Builds a tar.gz. */
export async function buildTarGz(files: readonly TestFile[], options: { directories?: boolean } = {}): Promise<Buffer> {
  return gzipSync(await buildTar(files, options));
}

/** Builds a zip with yazl (deflate, Unix modes), optionally with directory entries. */
export async function buildZip(files: readonly TestFile[], options: { directories?: boolean } = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const mtime = new Date(Date.UTC(2020, 0, 1));
  if (options.directories) for (const name of parentDirectories(files)) zip.addEmptyDirectory(name, { mtime });
  for (const file of files) zip.addBuffer(file.content, file.path, { mode: file.executable ? 0o100755 : 0o100644, mtime });
  zip.end();
  return collect(zip.outputStream as unknown as AsyncIterable<Uint8Array>);
}

/** Reads a whole stream (test sizes only). */
export async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Summarises every entry of a bundle, reading each content stream. */
export async function summarise(bundle: ConfigBundle): Promise<EntrySummary[]> {
  const summaries: EntrySummary[] = [];
  for (const entry of bundle.entries) {
    const hash = createHash('sha256');
    for await (const chunk of entry.open()) hash.update(chunk as Buffer);
    summaries.push({ path: entry.path, mode: entry.mode, size: entry.size, sha256: hash.digest('hex') });
  }
  return summaries;
}

/** A readable stream over a buffer, in small chunks so that readers see chunk boundaries. */
export function chunked(buffer: Buffer, size = 7_919): Readable {
  return Readable.from(
    (function* () {
      for (let offset = 0; offset < buffer.length; offset += size) yield buffer.subarray(offset, offset + size);
    })(),
  );
}

// ---------------------------------------------------------------- raw tar

/** Fields of a hand-made tar header; anything a library would refuse to write is allowed. */
export interface RawTarHeader {
  readonly name: string | Buffer;
  readonly size?: number;
  /** Type flag character: '0' file, '1' hard link, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo, '7' contiguous, 'x' PAX, 'L' GNU long name. */
  readonly type?: string;
  readonly mode?: number;
  readonly linkname?: string;
  /** 'ustar' (default), 'gnu', or 'v7' (no magic). */
  readonly magic?: 'ustar' | 'gnu' | 'v7';
  readonly corruptChecksum?: boolean;
}

/** One 512-byte tar header with a correct (or deliberately wrong) checksum. */
export function rawTarHeader(header: RawTarHeader): Buffer {
  const block = Buffer.alloc(512);
  const name = Buffer.isBuffer(header.name) ? header.name : Buffer.from(header.name, 'utf8');
  name.copy(block, 0, 0, Math.min(name.length, 100));
  block.write(octal(header.mode ?? 0o644, 7), 100, 'latin1');
  block.write(octal(0, 7), 108, 'latin1');
  block.write(octal(0, 7), 116, 'latin1');
  block.write(octal(header.size ?? 0, 11), 124, 'latin1');
  block.write(octal(1_577_836_800, 11), 136, 'latin1');
  block.write(header.type ?? '0', 156, 'latin1');
  if (header.linkname) block.write(header.linkname, 157, 'utf8');
  const magic = header.magic ?? 'ustar';
  if (magic === 'ustar') block.write('ustar\u000000', 257, 'latin1');
  if (magic === 'gnu') block.write('ustar  \u0000', 257, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  if (header.corruptChecksum) sum += 1;
  block.write(`${octal(sum, 6)}\u0000 `, 148, 'latin1');
  return block;
}

/** Header plus data padded to 512 bytes. */
export function rawTarEntry(header: RawTarHeader, data: Buffer = Buffer.alloc(0)): Buffer {
  const padding = (512 - (data.length % 512)) % 512;
  return Buffer.concat([rawTarHeader({ ...header, size: header.size ?? data.length }), data, Buffer.alloc(padding)]);
}

/** A PAX extended header (type 'x') carrying `records` for the next entry; values are raw bytes. */
export function rawPaxHeader(records: Record<string, Buffer | string>): Buffer {
  const body = Buffer.concat(
    Object.entries(records).map(([key, value]) => {
      const payload = Buffer.concat([Buffer.from(` ${key}=`), Buffer.isBuffer(value) ? value : Buffer.from(value), Buffer.from('\n')]);
      let length = payload.length + 1;
      while (String(length).length + payload.length !== length) length += 1;
      return Buffer.concat([Buffer.from(String(length)), payload]);
    }),
  );
  return rawTarEntry({ name: 'PaxHeader', type: 'x' }, body);
}

/** Concatenates entries and (unless `eof` is false) the two zero blocks of the end-of-archive marker. */
export function rawTar(parts: readonly Buffer[], options: { eof?: boolean } = {}): Buffer {
  return Buffer.concat([...parts, options.eof === false ? Buffer.alloc(0) : Buffer.alloc(1024)]);
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width, '0');
}

// ---------------------------------------------------------------- raw zip

/** One hand-made zip entry; fields default to a well-formed stored file. */
export interface RawZipEntry {
  readonly name: string | Buffer;
  readonly data?: Buffer;
  /** 0 stored (default), 8 deflate (data is deflated here), anything else written as is. */
  readonly method?: number;
  readonly crc?: number;
  readonly flags?: number;
  /** Host byte of "version made by": 3 Unix (default), 0 MS-DOS. */
  readonly host?: number;
  /** Unix mode (type and permission bits) for the upper 16 bits of the external attributes. */
  readonly unixMode?: number;
  readonly uncompressedSize?: number;
  /** Points the central entry at another entry's local header (overlapping-entry bombs). */
  readonly shareLocalHeaderOf?: number;
}

/** Builds a zip byte by byte: local headers, data, central directory, end record (unless omitted). */
export function rawZip(entries: readonly RawZipEntry[], options: { omitEndRecord?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.isBuffer(entry.name) ? entry.name : Buffer.from(entry.name, 'utf8');
    const data = entry.data ?? Buffer.alloc(0);
    const method = entry.method ?? 0;
    const stored = method === 8 ? deflateRawSync(data) : data;
    const crc = entry.crc ?? crc32(data);
    const size = entry.uncompressedSize ?? data.length;
    const fixed = { method, crc, flags: entry.flags ?? 0x800, compressed: stored.length, size, nameLength: name.length };
    const local = Buffer.concat([localHeader(fixed), name, stored]);
    const localOffset = entry.shareLocalHeaderOf === undefined ? offset : offsets[entry.shareLocalHeaderOf];
    offsets.push(localOffset);
    if (entry.shareLocalHeaderOf === undefined) {
      locals.push(local);
      offset += local.length;
    }
    const attributes = ((entry.unixMode ?? 0o100644) << 16) >>> 0;
    centrals.push(Buffer.concat([centralHeader(fixed, (entry.host ?? 3) << 8, attributes, localOffset), name]));
  }
  const central = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, central, options.omitEndRecord ? Buffer.alloc(0) : end]);
}

interface FixedFields {
  method: number;
  crc: number;
  flags: number;
  compressed: number;
  size: number;
  nameLength: number;
}

function localHeader(fields: FixedFields): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(fields.flags, 6);
  header.writeUInt16LE(fields.method, 8);
  header.writeUInt32LE(fields.crc >>> 0, 14);
  header.writeUInt32LE(fields.compressed, 18);
  header.writeUInt32LE(fields.size, 22);
  header.writeUInt16LE(fields.nameLength, 26);
  return header;
}

function centralHeader(fields: FixedFields, madeBy: number, attributes: number, localOffset: number): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(madeBy | 20, 4);
  header.writeUInt16LE(20, 6);
  header.writeUInt16LE(fields.flags, 8);
  header.writeUInt16LE(fields.method, 10);
  header.writeUInt32LE(fields.crc >>> 0, 16);
  header.writeUInt32LE(fields.compressed, 20);
  header.writeUInt32LE(fields.size, 24);
  header.writeUInt16LE(fields.nameLength, 28);
  header.writeUInt32LE(attributes, 38);
  header.writeUInt32LE(localOffset, 42);
  return header;
}
