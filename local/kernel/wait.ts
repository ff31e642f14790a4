/**
 * What an emulated service keeps for `waitFor`: the items seen so far and
 * the listeners told of each new one.
 */
export interface WaitSource<T> {
  /** The first item already seen that matches, if any. */
  readonly find: (predicate: (item: T) => boolean) => T | undefined;
  /** Listeners called with every new item. */
  readonly listeners: Set<(item: T) => void>;
}

/**
 * Resolves with the first item (already seen or still to come) that satisfies
 * `predicate`; rejects with `timeoutError()` after `timeoutMs` of wall time.
 * The one `waitFor` of the emulated bus, SNS and Scheduler.
 *
 * @example
 * waitForItem({ find: (p) => this.published.find(p), listeners: this.listeners }, predicate, 10_000, () => new SnsWaitTimeoutError(description, 10_000));
 */
export function waitForItem<T>(source: WaitSource<T>, predicate: (item: T) => boolean, timeoutMs: number, timeoutError: () => Error): Promise<T> {
  const found = source.find(predicate);
  if (found !== undefined) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const listener = (item: T): void => {
      if (!predicate(item)) return;
      cleanup();
      resolve(item);
    };
    const timer = setTimeout(() => { cleanup(); reject(timeoutError()); }, timeoutMs);
    const cleanup = (): void => { clearTimeout(timer); source.listeners.delete(listener); };
    source.listeners.add(listener);
  });
}
