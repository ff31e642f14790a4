/** One step of a JSON path: an object key or an array index. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Formats segments as a JSONPath: `$`, `$.apis[0].plans[1]`, `$["odd key"]`.
 *
 * @example
 * formatJsonPath(['apis', 0, 'id']) // '$.apis[0].id'
 */
export function formatJsonPath(segments: readonly PathSegment[]): string {
  let path = '$';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

/**
 * Calls `visit` for every string value (never keys) of a parsed JSON value,
 * in document order, with its path. Iterative, so deep documents cannot
 * overflow the stack.
 */
export function visitStrings(root: unknown, visit: (value: string, path: readonly PathSegment[]) => void): void {
  const stack: Array<{ value: unknown; path: PathSegment[] }> = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: PathSegment[] };
    if (typeof value === 'string') {
      visit(value, path);
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i -= 1) stack.push({ value: value[i], path: [...path, i] });
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [key, child] = entries[i] as [string, unknown];
        stack.push({ value: child, path: [...path, key] });
      }
    }
  }
}
