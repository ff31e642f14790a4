import { TAR_BLOCK, encodeTarHeaders, paxRecord, splitUstarName, tarPadding } from '../../shared/oci/tar-header';

const field = (block: Buffer, offset: number, width: number): string => block.subarray(offset, offset + width).toString('latin1').replace(/\0.*$/s, '');

function checksumOk(block: Buffer): boolean {
  const copy = Buffer.from(block);
  copy.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of copy) sum += byte;
  return parseInt(field(block, 148, 8).trim(), 8) === sum;
}

describe('splitUstarName', () => {
  const a100 = 'a'.repeat(100);
  it.each([
    ['short name', 'var/x.json', { prefix: '', name: 'var/x.json' }],
    ['exactly 100 bytes', a100, { prefix: '', name: a100 }],
    ['split at last slash within 155', `${'p'.repeat(150)}/${'n'.repeat(99)}`, { prefix: 'p'.repeat(150), name: 'n'.repeat(99) }],
    ['directory with trailing slash', `${'p'.repeat(120)}/dir/`, { prefix: 'p'.repeat(120), name: 'dir/' }],
    ['last segment over 100 bytes', `var/${'n'.repeat(101)}`, undefined],
    ['prefix over 155 bytes', `${'p'.repeat(156)}/n`, undefined],
    ['no slash and long', 'x'.repeat(101), undefined],
    ['non-ASCII short name', 'var/ümlaut.json', undefined],
    ['control character', 'var/a\tb', undefined],
  ])('%s', (_title, input, expected) => {
    expect(splitUstarName(input)).toEqual(expected);
  });
});

describe('paxRecord', () => {
  it.each([
    ['path', 'abc', '12 path=abc\n'],
    ['path', 'a'.repeat(89), `98 path=${'a'.repeat(89)}\n`],
    ['path', 'a'.repeat(90), `99 path=${'a'.repeat(90)}\n`],
    ['path', 'a'.repeat(91), `101 path=${'a'.repeat(91)}\n`],
    ['path', 'ä', '11 path=ä\n'],
  ])('%s=%s', (key, value, expected) => {
    const record = paxRecord(key, value);
    expect(record.toString('utf8')).toBe(expected);
    expect(parseInt(expected, 10)).toBe(record.length);
  });
});

describe('tarPadding', () => {
  it.each([[0, 0], [1, 511], [511, 1], [512, 0], [513, 511]])('size %d needs %d', (size, padding) => {
    expect(tarPadding(size)).toBe(padding);
  });
});

describe('encodeTarHeaders', () => {
  it('writes a USTAR header with zero ids, no user names, the mode, size and mtime', () => {
    const block = encodeTarHeaders({ name: 'var/a.json', type: 'file', mode: 0o644, size: 10, mtime: 0 } as never, 1234);
    expect(block).toHaveLength(TAR_BLOCK);
    expect(field(block, 0, 100)).toBe('var/a.json');
    expect(field(block, 100, 8)).toBe('0000644');
    expect([field(block, 108, 8), field(block, 116, 8)]).toEqual(['0000000', '0000000']);
    expect(field(block, 124, 12)).toBe('00000000012');
    expect(field(block, 136, 12)).toBe((1234).toString(8).padStart(11, '0'));
    expect(field(block, 156, 1)).toBe('0');
    expect(block.subarray(257, 265).toString('latin1')).toBe('ustar\u000000');
    expect([field(block, 265, 32), field(block, 297, 32)]).toEqual(['', '']);
    expect(checksumOk(block)).toBe(true);
  });

  it('marks directories with type 5 and splits long names into prefix and name', () => {
    const name = `${'d'.repeat(120)}/sub/`;
    const block = encodeTarHeaders({ name, type: 'directory', mode: 0o755, size: 0 }, 0);
    expect(block).toHaveLength(TAR_BLOCK);
    expect(field(block, 156, 1)).toBe('5');
    expect(field(block, 345, 155)).toBe('d'.repeat(120));
    expect(field(block, 0, 100)).toBe('sub/');
    expect(checksumOk(block)).toBe(true);
  });

  it('adds a PAX header carrying the UTF-8 path when USTAR cannot hold the name', () => {
    const name = 'var/portal-api/static/ümlaut.json';
    const blocks = encodeTarHeaders({ name, type: 'file', mode: 0o644, size: 3 }, 0);
    expect(blocks).toHaveLength(3 * TAR_BLOCK);
    const pax = blocks.subarray(0, TAR_BLOCK);
    expect(field(pax, 156, 1)).toBe('x');
    expect(checksumOk(pax)).toBe(true);
    const size = parseInt(field(pax, 124, 12), 8);
    expect(blocks.subarray(TAR_BLOCK, TAR_BLOCK + size).toString('utf8')).toBe(paxRecord('path', name).toString('utf8'));
    const header = blocks.subarray(2 * TAR_BLOCK);
    expect(field(header, 156, 1)).toBe('0');
    expect(checksumOk(header)).toBe(true);
  });

  it('adds a PAX size record beyond the 11-digit octal limit', () => {
    const blocks = encodeTarHeaders({ name: 'big', type: 'file', mode: 0o644, size: 0o77777777777 + 1 }, 0);
    expect(blocks.subarray(TAR_BLOCK, 2 * TAR_BLOCK).toString('utf8')).toContain(`size=${0o77777777777 + 1}\n`);
    expect(field(blocks.subarray(2 * TAR_BLOCK), 124, 12)).toBe('00000000000');
  });
});
