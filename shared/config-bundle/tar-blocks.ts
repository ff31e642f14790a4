import { Transform, type TransformCallback } from 'node:stream';

const BLOCK = 512;
const ZERO_BLOCK = Buffer.alloc(BLOCK);

/**
 * One bit per 512-byte block of a tar stream: set when the block is a null block (all zero
 * outside the checksum field, the way tar parsers recognise the end-of-archive marker).
 *
 * The parser used here reads on past an end-of-archive marker and accepts a stream that stops
 * at an entry boundary without one; standard tar stops at the marker, and a missing marker
 * means a truncated upload. The map lets the reader check the header positions it learns from
 * the parser against the standard rules, with 1 bit per 512 bytes (256 KiB for 1 GiB).
 */
export class ZeroBlockMap {
  private bits = new Uint8Array(1024);
  private blocks = 0;

  /** Number of complete blocks recorded. */
  get blockCount(): number {
    return this.blocks;
  }

  /** Records the next block. */
  push(isZero: boolean): void {
    const index = this.blocks;
    this.blocks += 1;
    if (index >> 3 >= this.bits.length) {
      const grown = new Uint8Array(this.bits.length * 2);
      grown.set(this.bits);
      this.bits = grown;
    }
    if (isZero) this.bits[index >> 3] |= 1 << (index & 7);
  }

  /** True when the block starting at `byteOffset` (a multiple of 512) was recorded as a null block. */
  isNullAt(byteOffset: number): boolean {
    const index = Math.floor(byteOffset / BLOCK);
    if (index < 0 || index >= this.blocks) return false;
    return (this.bits[index >> 3] & (1 << (index & 7))) !== 0;
  }
}

/**
 * A pass-through over an uncompressed tar stream that records null blocks in a
 * {@link ZeroBlockMap} and reports every chunk's size to `onBytes`; when `onBytes` throws, the
 * stream fails at once with that error, so a size or ratio limit stops decompression without
 * writing the rest.
 */
export class TarBlockMonitor extends Transform {
  readonly blocks = new ZeroBlockMap();
  private partial = Buffer.alloc(BLOCK);
  private partialLength = 0;
  private total = 0;

  constructor(private readonly onBytes: (bytes: number) => void) {
    super();
  }

  /** Bytes that went through so far. */
  get bytes(): number {
    return this.total;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.total += chunk.length;
    try {
      this.onBytes(chunk.length);
    } catch (error) {
      callback(error as Error);
      return;
    }
    this.scan(chunk);
    callback(null, chunk);
  }

  private scan(chunk: Buffer): void {
    let offset = 0;
    if (this.partialLength > 0) {
      const take = Math.min(BLOCK - this.partialLength, chunk.length);
      chunk.copy(this.partial, this.partialLength, 0, take);
      this.partialLength += take;
      offset = take;
      if (this.partialLength < BLOCK) return;
      this.blocks.push(isNullBlock(this.partial, 0));
      this.partialLength = 0;
    }
    for (; offset + BLOCK <= chunk.length; offset += BLOCK) this.blocks.push(isNullBlock(chunk, offset));
    chunk.copy(this.partial, 0, offset);
    this.partialLength = chunk.length - offset;
  }
}

/** A null block: all zero except possibly the checksum field at 148..155. */
export function isNullBlock(buffer: Buffer, offset: number): boolean {
  return (
    buffer.compare(ZERO_BLOCK, 0, 148, offset, offset + 148) === 0 &&
    buffer.compare(ZERO_BLOCK, 156, BLOCK, offset + 156, offset + BLOCK) === 0
  );
}
