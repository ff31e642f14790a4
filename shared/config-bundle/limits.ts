import type { BundleProblem } from './errors';
import { DEFAULT_LIMITS, type BundleLimits } from './types';

/**
 * Uncompressed bytes below which the compression ratio is not checked: a tiny archive is
 * mostly tar padding and headers and can legitimately compress far beyond any ratio.
 */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

const LIMIT_KEYS = Object.keys(DEFAULT_LIMITS) as (keyof BundleLimits)[];

/** The limits to apply, or why the given ones are not acceptable. */
export type LimitsVerdict = { readonly ok: true; readonly limits: BundleLimits } | { readonly ok: false; readonly problem: BundleProblem };

/**
 * Merges caller limits over {@link DEFAULT_LIMITS}. Unknown keys are refused (a typo must not
 * silently keep a default); counts must be positive integers, the ratio a positive number.
 *
 * @example
 * resolveLimits({ maxEntries: 10 }); // { ok: true, limits: { ...DEFAULT_LIMITS, maxEntries: 10 } }
 */
export function resolveLimits(partial: Partial<BundleLimits> = {}): LimitsVerdict {
  for (const [key, value] of Object.entries(partial) as [string, unknown][]) {
    if (!LIMIT_KEYS.includes(key as keyof BundleLimits)) {
      return invalid(`has the unknown limit "${key}"`, `one of ${LIMIT_KEYS.join(', ')}`);
    }
    const integer = key !== 'maxCompressionRatio';
    const valid = typeof value === 'number' && value > 0 && (integer ? Number.isSafeInteger(value) : !Number.isNaN(value));
    if (!valid) return invalid(`has limits.${key} = ${String(value)}`, integer ? 'a positive integer' : 'a positive number');
  }
  return { ok: true, limits: Object.freeze({ ...DEFAULT_LIMITS, ...partial }) };
}

function invalid(problem: string, expected: string): LimitsVerdict {
  return { ok: false, problem: { code: 'INVALID_OPTIONS', problem, expected } };
}

/**
 * Counts entries and bytes while a source is read and says when a limit is crossed, so that a
 * reader can stop at once instead of after writing a bomb's output. No I/O.
 *
 * @example
 * const meter = new LimitMeter(DEFAULT_LIMITS);
 * meter.setCompressed(1_000);
 * meter.addUncompressed(5_000_000)?.code; // 'COMPRESSION_RATIO'
 */
export class LimitMeter {
  private entries = 0;
  private compressed = 0;
  private uncompressed = 0;
  private declared = 0;

  constructor(
    private readonly limits: BundleLimits,
    private readonly ratioFloorBytes: number = RATIO_FLOOR_BYTES,
  ) {}

  /** Counts one entry of any kind (files, directories, skipped ones). */
  countEntry(): BundleProblem | undefined {
    this.entries += 1;
    if (this.entries <= this.limits.maxEntries) return undefined;
    return {
      code: 'TOO_MANY_ENTRIES',
      problem: `holds more than ${this.limits.maxEntries} entries`,
      expected: `at most ${this.limits.maxEntries} entries (limits.maxEntries)`,
    };
  }

  /**
   * Records how many compressed bytes have been consumed so far (a running total, e.g. a
   * gunzip's `bytesWritten` or a zip's file size); the ratio is checked as output arrives.
   */
  setCompressed(total: number): void {
    this.compressed = Math.max(this.compressed, total);
  }

  /** Counts uncompressed output and checks the size and ratio limits. */
  addUncompressed(bytes: number): BundleProblem | undefined {
    this.uncompressed += bytes;
    return this.check(this.uncompressed);
  }

  /**
   * Counts sizes an archive declares before they are read (a zip's central directory), so
   * that a bomb is refused before any byte is inflated. The actual bytes are still counted.
   */
  declareUncompressed(bytes: number): BundleProblem | undefined {
    this.declared += bytes;
    return this.check(this.declared);
  }

  /** Entries, compressed and uncompressed bytes counted so far. */
  totals(): { entries: number; compressed: number; uncompressed: number } {
    return { entries: this.entries, compressed: this.compressed, uncompressed: this.uncompressed };
  }

  private check(uncompressed: number): BundleProblem | undefined {
    if (uncompressed > this.limits.maxTotalBytes) {
      return {
        code: 'TOO_LARGE',
        problem: `expands to more than ${this.limits.maxTotalBytes} bytes`,
        expected: `at most ${this.limits.maxTotalBytes} bytes uncompressed (limits.maxTotalBytes)`,
      };
    }
    if (this.compressed === 0 || uncompressed <= this.ratioFloorBytes) return undefined;
    const ratio = uncompressed / this.compressed;
    if (ratio <= this.limits.maxCompressionRatio) return undefined;
    return {
      code: 'COMPRESSION_RATIO',
      problem: `expands ${this.compressed} compressed bytes to at least ${uncompressed} bytes (${ratio.toFixed(1)}:1)`,
      expected: `a compression ratio of at most ${this.limits.maxCompressionRatio}:1 (limits.maxCompressionRatio)`,
    };
  }
}
