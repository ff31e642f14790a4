/**
 * Pure encoding of tar headers: POSIX USTAR, with a PAX extended header only
 * for what USTAR cannot hold (a name that does not fit name/prefix, a
 * non-ASCII name, a size of 8 GiB or more). No uname/gname, no device
 * numbers, no access or change times: the bytes depend only on the item.
 */

/** Size of a tar block. */
export const TAR_BLOCK = 512;

/** The two zero blocks that end an archive. */
export const TAR_END = Buffer.alloc(2 * TAR_BLOCK);

/** Largest value of an 11-digit octal field (size, mtime). */
export const USTAR_MAX_OCTAL11 = 0o77777777777;

/** One member of a layer tar. `name` has a trailing `/` for directories. */
export interface TarItem {
  readonly name: string;
  readonly type: 'file' | 'directory';
  readonly mode: number;
  readonly size: number;
}

const NAME_BYTES = 100;
const PREFIX_BYTES = 155;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Zero bytes to add after `size` bytes of content to reach a block boundary. */
export function tarPadding(size: number): number {
  const rest = size % TAR_BLOCK;
  return rest === 0 ? 0 : TAR_BLOCK - rest;
}

/**
 * Splits a name into USTAR `prefix` and `name` fields, or `undefined` when it
 * cannot be held there (non-ASCII, or no `/` gives a prefix of at most 155
 * bytes and a non-empty name of at most 100 bytes). Like GNU tar and Go's
 * archive/tar, the split is at the last `/` that keeps the prefix short enough.
 */
export function splitUstarName(name: string): { prefix: string; name: string } | undefined {
  if (!PRINTABLE_ASCII.test(name)) return undefined;
  if (name.length <= NAME_BYTES) return { prefix: '', name };
  let searchEnd = Math.min(name.length, PREFIX_BYTES + 1);
  if (searchEnd === name.length && name.endsWith('/')) searchEnd--;
  const slash = name.lastIndexOf('/', searchEnd - 1);
  if (slash <= 0) return undefined;
  const rest = name.slice(slash + 1);
  if (rest.length === 0 || rest.length > NAME_BYTES || slash > PREFIX_BYTES) return undefined;
  return { prefix: name.slice(0, slash), name: rest };
}

/** One PAX record, `"<length> <key>=<value>\n"`, where length counts the whole record. */
export function paxRecord(key: string, value: string): Buffer {
  const body = Buffer.byteLength(` ${key}=${value}\n`);
  let length = body + String(body).length;
  if (String(length).length !== String(body).length) length = body + String(length).length;
  return Buffer.from(`${length} ${key}=${value}\n`, 'utf8');
}

/**
 * Every header block of one item: a PAX extended header (`x`) and its records
 * when needed, then the USTAR header. Content and padding are the caller's.
 */
export function encodeTarHeaders(item: TarItem, mtime: number): Buffer {
  const split = splitUstarName(item.name);
  const records: Buffer[] = [];
  if (!split) records.push(paxRecord('path', item.name));
  if (item.size > USTAR_MAX_OCTAL11) records.push(paxRecord('size', String(item.size)));
  const ustarName = split ?? { prefix: '', name: asciiFallback(item.name, NAME_BYTES) };
  const ustarSize = item.size > USTAR_MAX_OCTAL11 ? 0 : item.size;
  const header = ustarHeader(ustarName.name, ustarName.prefix, item.type === 'directory' ? '5' : '0', item.mode, ustarSize, mtime);
  if (records.length === 0) return header;
  const data = Buffer.concat(records);
  const paxName = asciiFallback(`PaxHeaders/${lastSegment(item.name)}`, NAME_BYTES);
  const paxHeader = ustarHeader(paxName, '', 'x', 0o644, data.length, mtime);
  return Buffer.concat([paxHeader, data, Buffer.alloc(tarPadding(data.length)), header]);
}

function ustarHeader(name: string, prefix: string, typeflag: string, mode: number, size: number, mtime: number): Buffer {
  const block = Buffer.alloc(TAR_BLOCK);
  block.write(name, 0, NAME_BYTES, 'ascii');
  writeOctal(block, 100, 8, mode);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, mtime);
  block.write(typeflag, 156, 1, 'ascii');
  block.write('ustar\u000000', 257, 8, 'ascii');
  writeOctal(block, 329, 8, 0);
  writeOctal(block, 337, 8, 0);
  block.write(prefix, 345, PREFIX_BYTES, 'ascii');
  block.fill(0x20, 148, 156);
  let checksum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) checksum += block[i];
  block.write(`${checksum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return block;
}

function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  block.write(`${value.toString(8).padStart(width - 1, '0')}\u0000`, offset, width, 'ascii');
}

/** A printable-ASCII stand-in for a name in USTAR fields that readers ignore when PAX `path` is present. */
function asciiFallback(name: string, maxBytes: number): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_');
  return ascii.length <= maxBytes ? ascii : ascii.slice(ascii.length - maxBytes);
}

function lastSegment(name: string): string {
  const trimmed = name.endsWith('/') ? name.slice(0, -1) : name;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}
