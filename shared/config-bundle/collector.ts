import { Readable } from 'node:stream';
import { assembleEntries } from './assemble';
import { classifyEntry, type EntryDecision, type EntrySource, type RawEntry } from './entry-rules';
import { BundleError, type BundleProblem } from './errors';
import type { LimitMeter } from './limits';
import { PathRegistry } from './path-registry';
import type { Spool } from './spool';
import type { BundleEntry, BundleFormat, BundleLimits, BundleWarning, ConfigBundle } from './types';

/** A decision that lets reading go on (refusals are thrown). */
export type AdmittedDecision = Exclude<EntryDecision, { action: 'refuse' }>;

/** What an archive reader writes into: the collector, the spool for content, the meter. */
export interface ArchiveReadContext {
  readonly collector: BundleCollector;
  readonly spool: Spool;
  readonly meter: LimitMeter;
}

/** What a {@link BundleCollector} needs to know about the source. */
export interface CollectorOptions {
  readonly origin: string;
  readonly source: EntrySource;
  readonly limits: BundleLimits;
  readonly meter: LimitMeter;
}

/**
 * The state of one read shared by every format reader: counts entries and bytes against the
 * limits, applies the entry rules and collision checks, gathers files and warnings, and
 * builds the {@link ConfigBundle}. Refusals are thrown as {@link BundleError} with the origin.
 */
export class BundleCollector {
  private readonly registry = new PathRegistry();
  private readonly files: BundleEntry[] = [];
  private readonly warnings = new Map<string, BundleWarning>();
  private closed = false;

  constructor(private readonly options: CollectorOptions) {}

  /** A {@link BundleError} for this source. */
  error(problem: BundleProblem, extra: { cause?: unknown; retryable?: boolean } = {}): BundleError {
    return new BundleError({ ...problem, ...extra, origin: this.options.origin, sourceKind: this.options.source });
  }

  /** Throws `problem` (when there is one) as a {@link BundleError} for this source. */
  check(problem: BundleProblem | undefined): void {
    if (problem) throw this.error(problem);
  }

  /** Counts uncompressed bytes; throws when the size or ratio limit is crossed. */
  countBytes(bytes: number): void {
    this.check(this.options.meter.addUncompressed(bytes));
  }

  /** Counts, classifies and registers one entry; throws on refusal, records skip warnings. */
  admit(raw: RawEntry): AdmittedDecision {
    this.check(this.options.meter.countEntry());
    const decision = classifyEntry(raw, this.options.source, this.options.limits.maxSegmentBytes);
    switch (decision.action) {
      case 'refuse':
        throw this.error(decision.problem);
      case 'skip':
        this.warnings.set(`${decision.warning.code}:${decision.warning.path}`, decision.warning);
        return decision;
      case 'directory':
        this.check(this.registry.addDirectory(decision.path, decision.display));
        return decision;
      case 'file':
        this.check(this.registry.addFile(decision.path, decision.display));
        return decision;
    }
  }

  /** Adds an accepted file; `open` is guarded so that it fails cleanly after `close()`. */
  addFile(file: { path: string; mode: 0o644 | 0o755; size: number; open: () => Readable }): void {
    this.files.push({ path: file.path, mode: file.mode, size: file.size, open: () => this.guardedOpen(file.path, file.open) });
  }

  /** Builds the bundle; throws EMPTY_BUNDLE when no file was accepted. */
  finish(format: BundleFormat, release: () => Promise<void>): ConfigBundle {
    const verdict = assembleEntries(this.files, this.registry.explicitDirectories(), [...this.warnings.values()]);
    if (!verdict.ok) throw this.error(verdict.problem);
    const close = async (): Promise<void> => {
      this.closed = true;
      await release();
    };
    return { format, origin: this.options.origin, entries: verdict.entries, warnings: verdict.warnings, close };
  }

  private guardedOpen(path: string, open: () => Readable): Readable {
    if (!this.closed) return open();
    const stream = new Readable({ read: () => undefined });
    const problem: BundleProblem = { code: 'BUNDLE_CLOSED', path, problem: 'was opened after close()', expected: 'open() before close()' };
    process.nextTick(() => stream.destroy(this.error(problem)));
    return stream;
  }
}
