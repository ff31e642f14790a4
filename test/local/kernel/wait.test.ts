import { waitForItem } from '../../../local/kernel/wait';

function source(items: number[]): { find: (p: (n: number) => boolean) => number | undefined; listeners: Set<(n: number) => void>; add: (n: number) => void } {
  const listeners = new Set<(n: number) => void>();
  return { find: (p) => items.find(p), listeners, add: (n) => { items.push(n); listeners.forEach((l) => l(n)); } };
}

describe('waitForItem', () => {
  it('resolves with an item already seen, without listening', async () => {
    const s = source([1, 4, 9]);
    await expect(waitForItem(s, (n) => n > 3, 1_000, () => new Error('late'))).resolves.toBe(4);
    expect(s.listeners.size).toBe(0);
  });

  it('resolves with the first matching item still to come, and stops listening', async () => {
    const s = source([]);
    const waiting = waitForItem(s, (n) => n % 2 === 0, 1_000, () => new Error('late'));
    s.add(3);
    s.add(8);
    s.add(10);
    await expect(waiting).resolves.toBe(8);
    expect(s.listeners.size).toBe(0);
  });

  it('rejects with the given error after the timeout, and stops listening', async () => {
    const s = source([1]);
    await expect(waitForItem(s, (n) => n > 5, 20, () => new Error('no item above 5 within 20 ms'))).rejects.toThrow('no item above 5 within 20 ms');
    expect(s.listeners.size).toBe(0);
  });
});
