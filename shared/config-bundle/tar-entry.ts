import type { Header } from 'tar-stream';
import type { RawEntry, RawEntryKind } from './entry-rules';
import type { BundleProblem } from './errors';
import { displayName } from './paths';

/** A tar-stream header with the fields its type declarations leave out. */
export type TarHeaderView = Omit<Header, 'type' | 'pax'> & {
  /** Null for a type flag the parser does not know (e.g. GNU sparse `S`). */
  readonly type: Header['type'] | null;
  /** Offset of the entry's data in the uncompressed tar stream. */
  readonly byteOffset: number;
  /** PAX records that applied to this entry (path, size, vendor keys), or null. */
  readonly pax?: Record<string, string> | null;
};

/** A tar-stream entry: the content stream plus its header and the offset of its header block. */
export interface TarEntryView extends AsyncIterable<Uint8Array> {
  readonly header: TarHeaderView;
  readonly offset: number;
  resume(): unknown;
}

/** The bundle view of a tar header, or why it is refused. */
export type TarHeaderVerdict =
  | { readonly ok: true; readonly raw: RawEntry; readonly mode: 0o644 | 0o755; readonly size: number }
  | { readonly ok: false; readonly problem: BundleProblem };

const KINDS: Record<string, { kind: RawEntryKind; label?: string }> = {
  file: { kind: 'file' },
  directory: { kind: 'directory' },
  symlink: { kind: 'symlink' },
  link: { kind: 'hardlink' },
  'character-device': { kind: 'special', label: 'character device' },
  'block-device': { kind: 'special', label: 'block device' },
  fifo: { kind: 'special', label: 'fifo' },
  'contiguous-file': { kind: 'special', label: 'contiguous file' },
};

/**
 * Reads what the bundle rules need from a tar header: the raw name bytes (the parser was
 * asked for latin1 so that every byte survives; PAX paths arrive as UTF-8 text and are refused
 * when the parser had to replace invalid bytes), the kind, the mode and the size.
 */
export function describeTarHeader(header: TarHeaderView): TarHeaderVerdict {
  const size = header.size ?? 0;
  const name = tarName(header);
  if (!Number.isSafeInteger(size) || size < 0) return corrupt(displayName(name), `has an invalid size (${String(header.size)})`);
  const sparse = Object.keys(header.pax ?? {}).some((key) => key.startsWith('GNU.sparse.'));
  const known = header.type ? KINDS[header.type] : undefined;
  const { kind, label } = sparse ? { kind: 'special' as const, label: 'sparse file' } : (known ?? { kind: 'special' as const, label: 'entry of an unknown tar type' });
  if (kind === 'directory' && size > 0) return corrupt(displayName(name), `is a directory with ${size} bytes of content`);
  if (typeof name === 'string' && name.includes('\uFFFD')) {
    return {
      ok: false,
      problem: { code: 'INVALID_NAME_ENCODING', path: name, problem: 'has a PAX path that is not valid UTF-8', expected: 'file names encoded in UTF-8' },
    };
  }
  const mode = ((header.mode ?? 0) & 0o111) !== 0 ? 0o755 : 0o644;
  const raw: RawEntry = label === undefined ? { name, kind } : { name, kind, kindLabel: label };
  return { ok: true, raw, mode, size };
}

function tarName(header: TarHeaderView): Uint8Array | string {
  // A PAX path replaced the latin1 header name and was decoded as UTF-8 by the parser.
  if (header.pax?.path) return header.name;
  return Buffer.from(header.name, 'latin1');
}

function corrupt(path: string, problem: string): TarHeaderVerdict {
  return { ok: false, problem: { code: 'CORRUPT_ARCHIVE', path, problem, expected: 'a well-formed tar header' } };
}
