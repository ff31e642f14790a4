/**
 * Serialises JSON with object keys sorted by UTF-16 code unit at every depth
 * and no whitespace, so the same value always gives the same bytes (and
 * digest) whatever the order its keys were built in. Object members that are
 * `undefined` are dropped and `undefined` array items become `null`, as with
 * `JSON.stringify`.
 *
 * @example
 * canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }).toString(); // '{"a":[{"c":3,"d":2}],"b":1}'
 */
export function canonicalJson(value: unknown): Buffer {
  return Buffer.from(serialise(value) ?? 'null', 'utf8');
}

function serialise(value: unknown): string | undefined {
  if (Array.isArray(value)) return `[${value.map((item) => serialise(item) ?? 'null').join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const members: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const member = serialise((value as Record<string, unknown>)[key]);
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`);
  }
  return `{${members.join(',')}}`;
}
