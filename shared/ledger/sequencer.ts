/**
 * Compares two S3 event `sequencer` values of the same object key, as AWS
 * documents it: the values are hexadecimal strings of possibly different
 * length; right-pad the shorter one with zeros, then compare lexicographically.
 * Case is normalised first (both are hex). Returns -1, 0 or 1.
 *
 * Sequencers of different keys are not comparable: callers must only compare
 * values recorded for the same key.
 *
 * @example
 * compareSequencers('0A1B', '0A1B00') // 0: equal after padding
 * compareSequencers('0A1C', '0A1B2F') // 1: the first one happened later
 */
export function compareSequencers(a: string, b: string): -1 | 0 | 1 {
  const width = Math.max(a.length, b.length);
  const left = a.toUpperCase().padEnd(width, '0');
  const right = b.toUpperCase().padEnd(width, '0');
  if (left === right) return 0;
  return left < right ? -1 : 1;
}
