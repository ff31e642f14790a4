import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createGzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { readBundle } from '../../shared/config-bundle';

const MIB = 1024 * 1024;
const FILES = 16;
const FILE_BYTES = 4 * MIB;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Live memory after a full collection: what the reader holds, not garbage waiting for the GC. */
function live(): number {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/**
 * A tar.gz of 16 files of 4 MiB (64 MiB in all), produced on demand with backpressure, never held whole;
 * `onFile` runs after each file went into the stream (the reader, paced by backpressure, is at most a buffer behind).
 */
function generatedTarGz(onFile: () => void): Readable {
  const pack = tar.pack();
  const block = randomBytes(64 * 1024);
  void (async () => {
    for (let index = 0; index < FILES; index += 1) {
      const sink = pack.entry({ name: `static/data/file-${index}.bin`, size: FILE_BYTES });
      for (let written = 0; written < FILE_BYTES; written += block.length) {
        if (!sink.write(block)) await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
      }
      await new Promise<void>((resolve) => sink.once('finish', () => resolve()).end(null));
      onFile();
    }
    pack.finalize();
  })();
  return (pack as unknown as Readable).pipe(createGzip({ level: 1 }));
}

describe('memory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bundle-memory-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a 64 MiB tar.gz stream with less than 32 MB of live memory growth', async () => {
    const baseline = live();
    let peak = Number.NEGATIVE_INFINITY;
    let samples = 0;
    const sample = (): void => {
      samples += 1;
      peak = Math.max(peak, live() - baseline);
    };
    // One sample per file written (17 full collections whatever the machine's speed or the heap other suites left):
    // a timer-paced sampler did more collections, each slower, the more the worker's heap held.
    const bundle = await readBundle({ stream: generatedTarGz(sample), name: 'generated.tgz' }, { tmpDir: dir });
    sample();
    expect(bundle.entries).toHaveLength(FILES);
    expect(bundle.entries.every((entry) => entry.size === FILE_BYTES && entry.path.startsWith('data/'))).toBe(true);
    await bundle.close();
    expect(samples).toBe(FILES + 1);
    expect(peak).toBeLessThan(32 * MIB);
  });
});
