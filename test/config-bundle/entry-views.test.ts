import { Readable } from 'node:stream';
import { TarBlockMonitor, ZeroBlockMap, isNullBlock } from '../../shared/config-bundle/tar-blocks';
import { describeTarHeader, type TarHeaderView } from '../../shared/config-bundle/tar-entry';
import { describeZipEntry, type ZipEntryFields } from '../../shared/config-bundle/zip-entry';
import { collect } from './archive-builders';

describe('describeTarHeader', () => {
  const header = (fields: Partial<TarHeaderView>): TarHeaderView =>
    ({ name: 'a', size: 0, mode: 0o644, type: 'file', byteOffset: 512, pax: null, ...fields }) as TarHeaderView;

  it.each([
    ['file', header({}), 'file', 0o644],
    ['executable file (any x bit)', header({ mode: 0o4710 }), 'file', 0o755],
    ['group-executable file', header({ mode: 0o650 }), 'file', 0o755],
    ['directory', header({ type: 'directory', name: 'd/' }), 'directory', 0o644],
    ['symlink', header({ type: 'symlink' }), 'symlink', 0o644],
    ['hard link', header({ type: 'link' }), 'hardlink', 0o644],
    ['fifo', header({ type: 'fifo' }), 'special:fifo', 0o644],
    ['character device', header({ type: 'character-device' }), 'special:character device', 0o644],
    ['block device', header({ type: 'block-device' }), 'special:block device', 0o644],
    ['contiguous file', header({ type: 'contiguous-file' }), 'special:contiguous file', 0o644],
    ['unknown type flag', header({ type: null }), 'special:entry of an unknown tar type', 0o644],
    ['GNU sparse file in PAX form', header({ pax: { 'GNU.sparse.major': '1' } }), 'special:sparse file', 0o644],
  ])('%s', (_label, input, kind, mode) => {
    const verdict = describeTarHeader(input);
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect(verdict.raw.kindLabel ? `${verdict.raw.kind}:${verdict.raw.kindLabel}` : verdict.raw.kind).toBe(kind);
    expect(verdict.mode).toBe(mode);
  });

  it('keeps latin1 header names as raw bytes and PAX paths as text', () => {
    const raw = describeTarHeader(header({ name: Buffer.from([0xe6, 0x97, 0xa5]).toString('latin1') }));
    expect(raw.ok && Buffer.from(raw.raw.name).equals(Buffer.from('日'))).toBe(true);
    const pax = describeTarHeader(header({ name: '日', pax: { path: '日' } }));
    expect(pax.ok && pax.raw.name).toBe('日');
  });

  it.each([
    ['a PAX path with replaced bytes', header({ name: 'a\uFFFD', pax: { path: 'a\uFFFD' } }), 'INVALID_NAME_ENCODING'],
    ['a directory with content', header({ type: 'directory', size: 10 }), 'CORRUPT_ARCHIVE'],
    ['a negative size', header({ size: -1 }), 'CORRUPT_ARCHIVE'],
    ['a size that is not a number', header({ size: Number.NaN }), 'CORRUPT_ARCHIVE'],
  ])('refuses %s', (_label, input, code) => {
    expect(describeTarHeader(input)).toMatchObject({ ok: false, problem: { code } });
  });
});

describe('describeZipEntry', () => {
  const entry = (fields: Partial<ZipEntryFields>): ZipEntryFields => ({
    fileNameRaw: Buffer.from('a.json'),
    versionMadeBy: (3 << 8) | 20,
    externalFileAttributes: (0o100644 << 16) >>> 0,
    generalPurposeBitFlag: 0,
    compressionMethod: 8,
    uncompressedSize: 1,
    ...fields,
  });
  const unix = (mode: number) => ({ externalFileAttributes: (mode << 16) >>> 0 });

  it.each([
    ['Unix file', entry({}), 'file', 0o644],
    ['Unix executable', entry(unix(0o100755)), 'file', 0o755],
    ['Unix mode without type bits', entry(unix(0o744)), 'file', 0o755],
    ['macOS host (19) counts as Unix', entry({ versionMadeBy: (19 << 8) | 20, ...unix(0o100700) }), 'file', 0o755],
    ['MS-DOS host: mode bits ignored', entry({ versionMadeBy: 20, externalFileAttributes: 0x20 }), 'file', 0o644],
    ['MS-DOS directory attribute', entry({ versionMadeBy: 20, externalFileAttributes: 0x10, uncompressedSize: 0 }), 'directory', 0o644],
    ['trailing slash', entry({ fileNameRaw: Buffer.from('d/'), uncompressedSize: 0 }), 'directory', 0o644],
    ['Unix directory', entry({ ...unix(0o40755), uncompressedSize: 0 }), 'directory', 0o755],
    ['Unix symlink', entry(unix(0o120777)), 'symlink', 0o755],
    ['Unix fifo', entry(unix(0o10644)), 'special:fifo', 0o644],
    ['Unix socket', entry(unix(0o140644)), 'special:socket', 0o644],
    ['Unix character device', entry(unix(0o20644)), 'special:character device', 0o644],
    ['Unix block device', entry(unix(0o60644)), 'special:block device', 0o644],
    ['unknown Unix type', entry(unix(0o170644)), 'special:entry of an unknown file type', 0o644],
  ])('%s', (_label, input, kind, mode) => {
    const verdict = describeZipEntry(input);
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect(verdict.raw.kindLabel ? `${verdict.raw.kind}:${verdict.raw.kindLabel}` : verdict.raw.kind).toBe(kind);
    expect(verdict.mode).toBe(mode);
    expect(verdict.dataProblem).toBeUndefined();
  });

  it.each([
    ['encrypted', entry({ generalPurposeBitFlag: 0x1 }), 'ENCRYPTED_ENTRY'],
    ['bzip2-compressed', entry({ compressionMethod: 12 }), 'UNSUPPORTED_FORMAT'],
  ])('flags %s content for when it is needed', (_label, input, code) => {
    expect(describeZipEntry(input)).toMatchObject({ ok: true, dataProblem: { code, path: 'a.json' } });
  });

  it('refuses a directory with content outright', () => {
    expect(describeZipEntry(entry({ fileNameRaw: Buffer.from('d/'), uncompressedSize: 3 }))).toMatchObject({ ok: false, problem: { code: 'CORRUPT_ARCHIVE' } });
  });
});

describe('ZeroBlockMap and TarBlockMonitor', () => {
  it('records null blocks, ignoring the checksum field', () => {
    const map = new ZeroBlockMap();
    for (let index = 0; index < 20_000; index += 1) map.push(index % 3 === 0);
    expect(map.blockCount).toBe(20_000);
    expect([0, 1, 2, 3].map((index) => map.isNullAt(index * 512))).toEqual([true, false, false, true]);
    expect(map.isNullAt(19_998 * 512)).toBe(true);
    expect(map.isNullAt(19_999 * 512)).toBe(false);
    expect(map.isNullAt(20_000 * 512)).toBe(false);
    const checksumOnly = Buffer.alloc(512);
    checksumOnly.write('0000000', 148, 'latin1');
    expect(isNullBlock(checksumOnly, 0)).toBe(true);
    checksumOnly[147] = 1;
    expect(isNullBlock(checksumOnly, 0)).toBe(false);
  });

  it('maps blocks across any chunk boundaries and counts every byte', async () => {
    const data = Buffer.concat([Buffer.alloc(512, 1), Buffer.alloc(1024), Buffer.alloc(512, 2), Buffer.alloc(512)]);
    const seen: number[] = [];
    const monitor = new TarBlockMonitor((bytes) => seen.push(bytes));
    const chunks = [data.subarray(0, 100), data.subarray(100, 1100), data.subarray(1100, 1101), data.subarray(1101)];
    const output = await collect(Readable.from(chunks).pipe(monitor));
    expect(output.equals(data)).toBe(true);
    expect(seen.reduce((a, b) => a + b, 0)).toBe(data.length);
    expect([0, 1, 2, 3, 4].map((index) => monitor.blocks.isNullAt(index * 512))).toEqual([false, true, true, false, true]);
    expect(monitor.bytes).toBe(data.length);
  });

  it('fails with the error the byte callback throws', async () => {
    const monitor = new TarBlockMonitor(() => {
      throw new Error('limit');
    });
    await expect(collect(Readable.from([Buffer.alloc(10)]).pipe(monitor))).rejects.toThrow('limit');
  });
});
