import { AwsChunkedError } from './errors';

const CRLF = Buffer.from('\r\n');

/**
 * Whether a request body uses the aws-chunked framing the SDK applies to
 * streamed uploads with flexible checksums ("Signature Calculations for the
 * Authorization Header: Transferring Payload in Multiple Chunks"): the
 * `Content-Encoding` names aws-chunked, or the payload hash is `STREAMING-...`.
 */
export function isAwsChunked(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const encoding = String(headers['content-encoding'] ?? '');
  const payload = String(headers['x-amz-content-sha256'] ?? '');
  return encoding.split(',').some((part) => part.trim() === 'aws-chunked') || payload.startsWith('STREAMING-');
}

/**
 * Removes aws-chunked framing: `<hex size>[;chunk-signature=...]\r\n<bytes>\r\n`
 * repeated, ended by a zero-size chunk and optional trailers (`x-amz-checksum-crc32:...`).
 *
 * @example
 * decodeAwsChunked(Buffer.from('3\r\nabc\r\n0\r\n\r\n')).toString() // 'abc'
 */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf(CRLF, offset);
    if (lineEnd < 0) throw new AwsChunkedError(offset, 'a chunk header ending in CRLF');
    const header = body.subarray(offset, lineEnd).toString('latin1');
    const sizeText = header.split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new AwsChunkedError(offset, `a hexadecimal chunk size, received ${JSON.stringify(header.slice(0, 40))}`);
    const size = parseInt(sizeText, 16);
    offset = lineEnd + 2;
    if (size === 0) return Buffer.concat(parts);
    if (offset + size + 2 > body.length || !body.subarray(offset + size, offset + size + 2).equals(CRLF)) {
      throw new AwsChunkedError(offset, `${size} bytes of chunk data followed by CRLF`);
    }
    parts.push(body.subarray(offset, offset + size));
    offset += size + 2;
  }
}
