import { deflateRawSync, gzipSync } from 'node:zlib';
import type { BundleErrorCode, BundleLimits } from '../../shared/config-bundle';
import { rawPaxHeader, rawTar, rawTarEntry, rawTarHeader, rawZip, type RawTarHeader, type RawZipEntry } from './archive-builders';

/** One hostile archive and the refusal it must get. */
export interface HostileCase {
  readonly name: string;
  readonly build: () => Buffer;
  readonly code: BundleErrorCode;
  /** The offending entry path the error must name; `null` when the error names no entry. */
  readonly path: string | null;
  readonly limits?: Partial<BundleLimits>;
}

const json = Buffer.from('{"ok":true}\n');
const file = (name: string | Buffer, data: Buffer = json, extra: Partial<RawTarHeader> = {}): Buffer => rawTarEntry({ name, ...extra }, data);
const tarOf = (...parts: Buffer[]): Buffer => rawTar(parts);
const zipOf = (...entries: RawZipEntry[]): Buffer => rawZip(entries);
const mib = 1024 * 1024;

/** A tar.gz whose single entry declares 1 GiB of zeros, as concatenated gzip members of 1 MiB each (about 1 MB in all). */
export function gzipBomb(gibibytes = 1): Buffer {
  const size = gibibytes * 1024 * mib;
  const header = gzipSync(rawTarHeader({ name: 'bomb.bin', size }));
  const member = gzipSync(Buffer.alloc(mib));
  return Buffer.concat([header, ...Array.from({ length: size / mib }, () => member), gzipSync(Buffer.alloc(1024))]);
}

function tarWithEntries(count: number): Buffer {
  return tarOf(...Array.from({ length: count }, (_, index) => rawTarHeader({ name: `f${String(index).padStart(5, '0')}` })));
}

function corruptGzip(): Buffer {
  const archive = gzipSync(tarOf(file('a.json', Buffer.from('x'.repeat(5_000)))));
  archive.fill(0xff, 12, 40);
  return archive;
}

function badGzipChecksum(): Buffer {
  const archive = gzipSync(tarOf(file('a.json')));
  archive[archive.length - 8] ^= 0xff;
  return archive;
}

function zipWithWrongSize(): Buffer {
  return zipOf({ name: 'a.json', data: json, method: 8, uncompressedSize: json.length + 5 });
}

const nfc = 'caf\u00e9.json';
const nfd = 'cafe\u0301.json';

/**
 * At least 25 hostile archives, built deterministically from bytes (libraries refuse to write
 * most of them), each with the stable code and offending path the reader must report.
 */
export const HOSTILE_CORPUS: readonly HostileCase[] = [
  // Escaping the root.
  { name: 'tar: ../ entry', build: () => tarOf(file('../evil.json')), code: 'PATH_TRAVERSAL', path: '../evil.json' },
  { name: 'tar: .. in the middle', build: () => tarOf(file('env/../../evil.json')), code: 'PATH_TRAVERSAL', path: 'env/../../evil.json' },
  { name: 'v7 tar: ../ entry', build: () => tarOf(file('../v7.json', json, { magic: 'v7' })), code: 'PATH_TRAVERSAL', path: '../v7.json' },
  { name: 'tar: absolute path', build: () => tarOf(file('/etc/passwd')), code: 'ABSOLUTE_PATH', path: '/etc/passwd' },
  { name: 'tar: PAX path overrides an innocent name', build: () => tarOf(rawPaxHeader({ path: '/etc/cron.d/x' }), file('innocent.json')), code: 'ABSOLUTE_PATH', path: '/etc/cron.d/x' },
  { name: 'zip: ../ entry', build: () => zipOf({ name: '../evil.json', data: json }), code: 'PATH_TRAVERSAL', path: '../evil.json' },
  { name: 'zip: Windows drive path', build: () => zipOf({ name: 'C:\\Windows\\evil.json', data: json }), code: 'ABSOLUTE_PATH', path: 'C:\\Windows\\evil.json' },
  { name: 'zip: backslash traversal', build: () => zipOf({ name: 'env\\..\\..\\evil.json', data: json }), code: 'PATH_TRAVERSAL', path: 'env\\..\\..\\evil.json' },
  { name: 'zip: backslash separator', build: () => zipOf({ name: 'env\\default.json', data: json }), code: 'INVALID_NAME', path: 'env\\default.json' },
  // Links and special files.
  { name: 'tar: symlink', build: () => tarOf(file('globals.json', Buffer.alloc(0), { type: '2', linkname: '/etc/passwd' })), code: 'LINK_NOT_ALLOWED', path: 'globals.json' },
  { name: 'tar: hard link', build: () => tarOf(file('a.json'), file('b.json', Buffer.alloc(0), { type: '1', linkname: 'a.json' })), code: 'LINK_NOT_ALLOWED', path: 'b.json' },
  { name: 'tar: fifo', build: () => tarOf(file('pipe', Buffer.alloc(0), { type: '6' })), code: 'SPECIAL_FILE', path: 'pipe' },
  { name: 'tar: character device', build: () => tarOf(file('null', Buffer.alloc(0), { type: '3' })), code: 'SPECIAL_FILE', path: 'null' },
  { name: 'tar: block device', build: () => tarOf(file('sda', Buffer.alloc(0), { type: '4' })), code: 'SPECIAL_FILE', path: 'sda' },
  { name: 'tar: contiguous file', build: () => tarOf(file('contiguous.json', json, { type: '7' })), code: 'SPECIAL_FILE', path: 'contiguous.json' },
  { name: 'tar: unknown type (old GNU sparse)', build: () => tarOf(file('sparse.bin', json, { type: 'S' })), code: 'SPECIAL_FILE', path: 'sparse.bin' },
  { name: 'tar: PAX GNU sparse file', build: () => tarOf(rawPaxHeader({ 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0' }), file('s.json')), code: 'SPECIAL_FILE', path: 's.json' },
  { name: 'zip: Unix symlink', build: () => zipOf({ name: 'link.json', data: Buffer.from('/etc/passwd'), unixMode: 0o120777 }), code: 'LINK_NOT_ALLOWED', path: 'link.json' },
  { name: 'zip: Unix fifo', build: () => zipOf({ name: 'pipe', unixMode: 0o10644 }), code: 'SPECIAL_FILE', path: 'pipe' },
  // Names.
  { name: 'tar: latin1 name', build: () => tarOf(file(Buffer.from('caf\xe9.json', 'latin1'))), code: 'INVALID_NAME_ENCODING', path: 'caf\\xe9.json' },
  { name: 'zip: invalid UTF-8 name', build: () => zipOf({ name: Buffer.from([0x61, 0xc3, 0x28]), data: json }), code: 'INVALID_NAME_ENCODING', path: 'a\\xc3(' },
  { name: 'tar: PAX path with invalid UTF-8', build: () => tarOf(rawPaxHeader({ path: Buffer.from([0x78, 0xff, 0x2e, 0x6a]) }), file('x.json')), code: 'INVALID_NAME_ENCODING', path: 'x\uFFFD.j' },
  { name: 'tar: GNU long name with invalid UTF-8', build: () => tarOf(rawTarEntry({ name: '././@LongLink', type: 'L', magic: 'gnu' }, Buffer.from([...Buffer.from('long/'), 0xfe, 0])), file('short.json', json, { magic: 'gnu' })), code: 'INVALID_NAME_ENCODING', path: 'long/\\xfe' },
  { name: 'tar: 256-byte segment', build: () => tarOf(rawPaxHeader({ path: `env/${'n'.repeat(256)}` }), file('x.json')), code: 'NAME_TOO_LONG', path: `env/${'n'.repeat(256)}` },
  { name: 'tar: newline in a name', build: () => tarOf(rawPaxHeader({ path: 'a\nb.json' }), file('x.json')), code: 'INVALID_NAME', path: 'a\nb.json' },
  // Collisions.
  { name: 'tar: duplicate entry', build: () => tarOf(file('a.json'), file('a.json')), code: 'PATH_COLLISION', path: 'a.json' },
  { name: 'tar: a//b vs a/b', build: () => tarOf(file('env/a.json'), file('env//a.json')), code: 'PATH_COLLISION', path: 'env//a.json' },
  { name: 'tar: ./a vs a', build: () => tarOf(file('a.json'), file('./a.json')), code: 'PATH_COLLISION', path: './a.json' },
  { name: 'zip: NFC vs NFD', build: () => zipOf({ name: nfc, data: json }, { name: nfd, data: json }), code: 'PATH_COLLISION', path: nfd },
  { name: 'tar: file then directory content', build: () => tarOf(file('env'), file('env/a.json')), code: 'PATH_COLLISION', path: 'env/a.json' },
  { name: 'zip: directory then file of the same name', build: () => zipOf({ name: 'env/', unixMode: 0o40755 }, { name: 'env', data: json }), code: 'PATH_COLLISION', path: 'env' },
  // Limits.
  { name: 'tar: 20,001 entries', build: () => tarWithEntries(20_001), code: 'TOO_MANY_ENTRIES', path: null },
  { name: 'tar.gz: 1 GiB of zeros (ratio)', build: () => gzipBomb(), code: 'COMPRESSION_RATIO', path: null },
  { name: 'zip: 20 MiB of zeros in one entry (ratio)', build: () => zipOf({ name: 'bomb.bin', data: Buffer.alloc(20 * mib), method: 8 }), code: 'COMPRESSION_RATIO', path: null },
  {
    name: 'zip: 100 entries sharing one 512 KiB local entry (overlap bomb)',
    build: () => zipOf(...Array.from({ length: 100 }, (_, index): RawZipEntry => ({ name: `b${index}`, data: Buffer.alloc(mib / 2), method: 8, ...(index > 0 ? { shareLocalHeaderOf: 0 } : {}) }))),
    code: 'COMPRESSION_RATIO',
    path: null,
  },
  { name: 'tar: more bytes than a small limit', build: () => tarOf(file('big.bin', Buffer.alloc(10_000, 1))), code: 'TOO_LARGE', path: null, limits: { maxTotalBytes: 8_192 } },
  // Truncation and corruption.
  { name: 'tar.gz: cut in half', build: () => { const archive = gzipSync(tarOf(file('a.json', Buffer.alloc(20_000, 7)))); return archive.subarray(0, archive.length >> 1); }, code: 'TRUNCATED_ARCHIVE', path: null },
  { name: 'tar.gz: garbage in the deflate stream', build: corruptGzip, code: 'CORRUPT_ARCHIVE', path: null },
  { name: 'tar.gz: wrong gzip CRC', build: badGzipChecksum, code: 'CORRUPT_ARCHIVE', path: null },
  { name: 'tar: cut inside an entry', build: () => tarOf(file('a.json', Buffer.alloc(2_000, 1))).subarray(0, 1_200), code: 'TRUNCATED_ARCHIVE', path: null },
  { name: 'tar: cut at an entry boundary (no end marker)', build: () => rawTar([file('a.json'), file('b.json')], { eof: false }), code: 'TRUNCATED_ARCHIVE', path: null },
  { name: 'tar: bad header checksum', build: () => tarOf(file('a.json'), file('b.json', json, { corruptChecksum: true })), code: 'CORRUPT_ARCHIVE', path: null },
  { name: 'tar: entries after the end marker', build: () => Buffer.concat([tarOf(file('a.json')), tarOf(file('hidden.json'))]), code: 'CORRUPT_ARCHIVE', path: null },
  { name: 'tar: directory with content', build: () => tarOf(file('d/', json, { type: '5' })), code: 'CORRUPT_ARCHIVE', path: 'd/' },
  { name: 'zip: wrong CRC-32', build: () => zipOf({ name: 'a.json', data: json, crc: 0xdeadbeef }), code: 'CORRUPT_ARCHIVE', path: 'a.json' },
  { name: 'zip: declared size differs from content', build: zipWithWrongSize, code: 'CORRUPT_ARCHIVE', path: 'a.json' },
  { name: 'zip: cut in half', build: () => { const zip = rawZip([{ name: 'a.json', data: Buffer.alloc(4_000, 3), method: 8 }, { name: 'b.json', data: json }]); return zip.subarray(0, zip.length >> 1); }, code: 'TRUNCATED_ARCHIVE', path: null },
  { name: 'zip: central directory cut off', build: () => rawZip([{ name: 'a.json', data: json }], { omitEndRecord: true }), code: 'TRUNCATED_ARCHIVE', path: null },
  { name: 'zip: encrypted entry', build: () => zipOf({ name: 'secret.json', data: Buffer.alloc(24, 1), flags: 0x801, uncompressedSize: 12 }), code: 'ENCRYPTED_ENTRY', path: 'secret.json' },
  { name: 'zip: bzip2 compression method', build: () => zipOf({ name: 'a.json', data: json, method: 12 }), code: 'UNSUPPORTED_FORMAT', path: 'a.json' },
  // The config key.
  { name: 'tar: deploy.envkey', build: () => tarOf(file('globals.json'), file('deploy.envkey', Buffer.from('k'))), code: 'ENVKEY_IN_ARCHIVE', path: 'deploy.envkey' },
  { name: 'zip: static/deploy.envkey', build: () => zipOf({ name: 'static/globals.json', data: json }, { name: 'static/deploy.envkey', data: Buffer.from('k') }), code: 'ENVKEY_IN_ARCHIVE', path: 'static/deploy.envkey' },
  // Not one of the four formats.
  { name: 'gzip of JSON', build: () => gzipSync(Buffer.from('{"not":"a tar"}'.repeat(50))), code: 'UNSUPPORTED_FORMAT', path: null },
  { name: 'gzip of a zip', build: () => gzipSync(zipOf({ name: 'a.json', data: json })), code: 'UNSUPPORTED_FORMAT', path: null },
  { name: 'gzip of a few bytes', build: () => gzipSync(Buffer.from('x')), code: 'UNSUPPORTED_FORMAT', path: null },
  { name: 'bzip2 file', build: () => Buffer.from('BZh91AY&SY' + 'x'.repeat(600)), code: 'UNSUPPORTED_FORMAT', path: null },
  { name: 'zip and tar polyglot', build: () => tarOf(file(Buffer.from('PK\u0003\u0004poly', 'latin1'))), code: 'UNSUPPORTED_FORMAT', path: null },
  { name: 'raw deflate', build: () => deflateRawSync(tarOf(file('a.json'))), code: 'UNSUPPORTED_FORMAT', path: null },
  // Nothing left.
  { name: 'tar: end marker only', build: () => Buffer.alloc(10_240), code: 'EMPTY_BUNDLE', path: null },
  { name: 'zip: no entries', build: () => rawZip([]), code: 'EMPTY_BUNDLE', path: null },
  { name: 'tar: only .git', build: () => tarOf(file('.git/HEAD'), file('.git/config')), code: 'EMPTY_BUNDLE', path: null },
];
