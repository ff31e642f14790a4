import { isPlainObject, kindOf } from './env-files';
import type { PathSegment } from './json-path';
import { formatJsonPath } from './json-path';
import type { IssueDraft, Severity } from './types';
import { IssueCode } from './types';

/** A name one document uses to point at something another document defines. */
export interface Reference {
  readonly kind: 'plan' | 'group' | 'authServer' | 'authMethod';
  /** The referenced id: a plan or group id, an auth server name, or `<server>:<method>`. */
  readonly name: string;
  readonly file: string;
  readonly jsonPath: string;
  /** Who refers, for messages: `API "orders"`, `plan "partner"`. */
  readonly owner: string;
}

/**
 * Reads values of one parsed document with the shape checks portal-api relies
 * on, collecting an `INVALID_SHAPE` issue for every mismatch instead of
 * throwing, so that every problem is reported at once.
 */
export class ShapeReader {
  /** Problems found so far. */
  readonly issues: IssueDraft[] = [];
  /** References collected with {@link ShapeReader.reference}. */
  readonly references: Reference[] = [];

  constructor(readonly file: string) {}

  /** Records a problem at `path`; the severity defaults to the code's. */
  fail(path: readonly PathSegment[], message: string, code: string = IssueCode.InvalidShape, severity?: Severity): void {
    this.issues.push({ file: this.file, jsonPath: formatJsonPath(path), code, message, ...(severity ? { severity } : {}) });
  }

  /**
   * Runs `read` and marks every issue it records as an error, with `why`
   * appended: for values portal-api dereferences at start, where a wrong
   * shape crashes it rather than one request.
   */
  fatal<T>(why: string, read: () => T): T {
    const mark = this.issues.length;
    const result = read();
    for (let index = mark; index < this.issues.length; index += 1) {
      const issue = this.issues[index] as IssueDraft;
      this.issues[index] = { ...issue, severity: 'error', message: `${issue.message}; ${why}` };
    }
    return result;
  }

  /** `value` as an object, or `undefined` after recording why not. */
  object(value: unknown, path: readonly PathSegment[], what: string): Record<string, unknown> | undefined {
    if (isPlainObject(value)) return value;
    this.fail(path, `${what}: expected an object, received ${kindOf(value)}`);
    return undefined;
  }

  /** `value` as an array, or `undefined` after recording why not. */
  array(value: unknown, path: readonly PathSegment[], what: string): unknown[] | undefined {
    if (Array.isArray(value)) return value;
    this.fail(path, `${what}: expected an array, received ${kindOf(value)}`);
    return undefined;
  }

  /** `owner[key]` as a string; a missing optional key is `undefined` without an issue. */
  string(owner: Record<string, unknown>, key: string, path: readonly PathSegment[], what: string, required = false): string | undefined {
    const value = owner[key];
    if (typeof value === 'string' && (value !== '' || !required)) return value;
    if (value === undefined && !required) return undefined;
    this.fail([...path, key], `${what}: expected ${required ? 'a non-empty string' : 'a string'}, received ${kindOf(value)}`);
    return undefined;
  }

  /** `owner[key]` as an array of strings (bad elements are reported and skipped). */
  strings(owner: Record<string, unknown>, key: string, path: readonly PathSegment[], what: string, required = false): string[] | undefined {
    const value = owner[key];
    if (value === undefined && !required) return undefined;
    const list = this.array(value, [...path, key], what);
    if (!list) return undefined;
    const result: string[] = [];
    list.forEach((item, index) => {
      if (typeof item === 'string') result.push(item);
      else this.fail([...path, key, index], `${what}: expected a string, received ${kindOf(item)}`);
    });
    return result;
  }

  /** `owner[key]` as a boolean; a missing key is `undefined`. */
  boolean(owner: Record<string, unknown>, key: string, path: readonly PathSegment[], what: string): boolean | undefined {
    const value = owner[key];
    if (value === undefined || typeof value === 'boolean') return value;
    this.fail([...path, key], `${what}: expected true or false, received ${kindOf(value)}`);
    return undefined;
  }

  /** Records a reference unless it is empty (wicked's "no group") or made of variables. */
  reference(kind: Reference['kind'], name: string | undefined, path: readonly PathSegment[], owner: string): void {
    if (name === undefined || name === '' || name.startsWith('$') || name.includes('${')) return;
    this.references.push({ kind, name, file: this.file, jsonPath: formatJsonPath(path), owner });
  }

  /** Reports ids seen more than once (portal-api keeps only one of them). */
  unique(ids: ReadonlyArray<{ id: string; path: readonly PathSegment[] }>, what: string): void {
    const seen = new Map<string, string>();
    for (const { id, path } of ids) {
      const first = seen.get(id);
      if (first === undefined) seen.set(id, formatJsonPath(path));
      else this.fail(path, `${what} id "${id}" is defined twice (first at ${first}); ids must be unique`, IssueCode.DuplicateId);
    }
  }
}
