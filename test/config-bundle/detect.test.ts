import { gzipSync } from 'node:zlib';
import { checksumMatches, detectFormat, looksLikeTar, notTarInsideGzip } from '../../shared/config-bundle/detect';
import { rawTarHeader } from './archive-builders';

describe('detectFormat', () => {
  const ustar = rawTarHeader({ name: 'a.json', size: 2 });
  const gnu = rawTarHeader({ name: 'a.json', magic: 'gnu' });
  const v7 = rawTarHeader({ name: 'a.json', magic: 'v7' });
  const v7Broken = rawTarHeader({ name: 'a.json', magic: 'v7', corruptChecksum: true });
  const zipAndTar = Buffer.from(rawTarHeader({ name: 'PK\u0003\u0004x' }));

  const cases: [string, Buffer, string][] = [
    ['gzip', gzipSync(Buffer.from('x')), 'gzip'],
    ['zip', Buffer.from('PK\u0003\u0004rest', 'latin1'), 'zip'],
    ['empty zip', Buffer.from('PK\u0005\u0006', 'latin1'), 'zip'],
    ['ustar', ustar, 'tar'],
    ['GNU tar', gnu, 'tar'],
    ['v7 tar with a valid checksum', v7, 'tar'],
    ['empty tar (zero blocks)', Buffer.alloc(1024), 'tar'],
    ['v7 tar with a bad checksum', v7Broken, 'refused:is not an archive'],
    ['a tar header cut short', ustar.subarray(0, 300), 'refused:is not an archive'],
    ['nothing', Buffer.alloc(0), 'refused:is empty'],
    ['zip and ustar at once', zipAndTar, 'refused:is both a zip and a tar archive'],
    ['gzip with another method', Buffer.from([0x1f, 0x8b, 0x07, 0]), 'refused:is not an archive'],
    ['bzip2', Buffer.from('BZh91AY&SY'), 'refused:is a bzip2 file'],
    ['xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0]), 'refused:is a xz file'],
    ['zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0]), 'refused:is a zstd file'],
    ['JSON', Buffer.from('{"a": 1}'), 'refused:is not an archive (starts with 7b 22 61 22 3a 20 31 7d)'],
    ['spanned zip marker', Buffer.from('PK\u0007\u0008', 'latin1'), 'refused:is not an archive'],
  ];
  it.each(cases)('%s', (_label, head, expected) => {
    const verdict = detectFormat(head);
    const summary = verdict.ok ? verdict.format : `refused:${verdict.problem.problem}`;
    if (expected.startsWith('refused:')) {
      expect(summary.startsWith(expected)).toBe(true);
      expect(verdict).toMatchObject({ ok: false, problem: { code: 'UNSUPPORTED_FORMAT', expected: expect.stringContaining('.tar.gz') } });
    } else {
      expect(summary).toBe(expected);
    }
  });

  it('describes what a gzip contained when it is not a tar', () => {
    expect(notTarInsideGzip(detectFormat(Buffer.from('PK\u0003\u0004', 'latin1'))).problem).toBe('is gzip-compressed but contains a zip');
    expect(notTarInsideGzip(detectFormat(Buffer.from('{}'))).problem).toBe('is gzip-compressed but contains no tar archive');
  });
});

describe('tar header checks', () => {
  it('accepts checksums written as signed sums by old tars', () => {
    const block = rawTarHeader({ name: Buffer.from([0xe9, 0x2e, 0x6a]), magic: 'v7' });
    // Recompute the checksum the signed way: bytes above 0x7f count negative.
    block.fill(0x20, 148, 156);
    let signed = 0;
    for (const byte of block) signed += byte > 0x7f ? byte - 0x100 : byte;
    block.write(`${signed.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1');
    expect(checksumMatches(block)).toBe(true);
    expect(looksLikeTar(block)).toBe(true);
  });

  it('refuses non-octal checksum fields and blocks that start with NUL', () => {
    const block = rawTarHeader({ name: 'a', magic: 'v7' });
    block.write('12x4567\u0000', 148, 'latin1');
    expect(checksumMatches(block)).toBe(false);
    const empty = rawTarHeader({ name: '', magic: 'v7' });
    expect(looksLikeTar(empty)).toBe(false);
  });
});
