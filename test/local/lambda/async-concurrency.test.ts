import { AsyncInvoker, DEFAULT_ACCOUNT_CONCURRENCY, MIN_UNRESERVED_CONCURRENCY } from '../../../local/lambda/async-invoke';
import { DeadLetters } from '../../../local/kernel/dead-letters';
import { scaledClock } from '../../../local/kernel/clock';
import { ManualClock } from '../backup/manual-clock';

/** An invoker whose function runs finish when the test says so; `clock` and `deadLetters` when the test reads them. */
function invoker(options: { clock?: ManualClock; deadLetters?: DeadLetters } = {}): {
  lambda: AsyncInvoker; running: (name?: string) => number; peak: (name?: string) => number; finishAll: () => void;
} {
  const running = new Map<string, number>();
  const peaks = new Map<string, number>();
  const count = (map: Map<string, number>, name?: string): number => (name === undefined ? [...map.values()].reduce((a, b) => a + b, 0) : map.get(name) ?? 0);
  let peak = 0;
  const finishers: (() => void)[] = [];
  const lambda = new AsyncInvoker({
    clock: options.clock ?? scaledClock(1),
    deadLetters: options.deadLetters ?? new DeadLetters(),
    functionArn: (name) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    run: (name) => new Promise((resolve) => {
      running.set(name, count(running, name) + 1);
      peaks.set(name, Math.max(count(peaks, name), count(running, name)));
      peak = Math.max(peak, count(running));
      finishers.push(() => { running.set(name, count(running, name) - 1); resolve(null); });
    }),
  });
  return {
    lambda, running: (name) => count(running, name), peak: (name) => (name === undefined ? peak : count(peaks, name)),
    finishAll: () => { for (const finish of finishers.splice(0)) finish(); },
  };
}

/** Runs the invoker's queue to its end, finishing every run as it starts. */
async function runToEnd(lambda: AsyncInvoker, finishAll: () => void): Promise<void> {
  while (lambda.invocations().some((invocation) => invocation.status === 'queued')) { finishAll(); await flush(); }
  await lambda.idle();
}

const flush = async (): Promise<void> => { for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve)); };

describe('the account concurrency of asynchronous invocations', () => {
  it('defaults to the quota of 1,000 concurrent executions', async () => {
    const { lambda, running, finishAll } = invoker();
    expect(DEFAULT_ACCOUNT_CONCURRENCY).toBe(1000);
    for (let i = 0; i < 20; i += 1) lambda.invoke('f', { i });
    await flush();
    expect(running()).toBe(20);
    finishAll();
    await lambda.idle();
  });

  it('keeps events beyond the quota in the queue and runs each once an execution ends: none lost, never more at once', async () => {
    const { lambda, running, peak, finishAll } = invoker();
    lambda.setAccountConcurrency(2);
    for (let i = 0; i < 5; i += 1) lambda.invoke('f', { i });
    await flush();
    expect([running(), lambda.load.throttled]).toEqual([2, 3]);
    while (lambda.invocations().some((invocation) => invocation.status === 'queued')) {
      finishAll();
      await flush();
    }
    await lambda.idle();
    expect(peak()).toBe(2);
    expect(lambda.invocations().map((invocation) => [invocation.status, invocation.attempts])).toEqual(Array.from({ length: 5 }, () => ['succeeded', 1]));
    expect(lambda.load).toEqual({ executing: 0, throttled: 0 });
  });

  it('a raised quota lets waiting events run at once; a quota below 1 is refused', async () => {
    const { lambda, running, finishAll } = invoker();
    lambda.setAccountConcurrency(1);
    for (let i = 0; i < 4; i += 1) lambda.invoke('f', { i });
    await flush();
    expect(running()).toBe(1);
    lambda.setAccountConcurrency(3);
    await flush();
    expect(running()).toBe(3);
    expect(() => lambda.setAccountConcurrency(0)).toThrow('account concurrency: received 0, expected an integer >= 1');
    while (lambda.invocations().some((invocation) => invocation.status === 'queued')) { finishAll(); await flush(); }
    await lambda.idle();
  });
});

describe('reserved concurrency (ReservedConcurrentExecutions) of asynchronous invocations', () => {
  it('runs a function with a reservation at most that many at once, and keeps its executions out of the others\' pool', async () => {
    const { lambda, running, peak, finishAll } = invoker();
    lambda.setAccountConcurrency(MIN_UNRESERVED_CONCURRENCY + 3);
    lambda.setReservedConcurrency('build', 1);
    for (let i = 0; i < 4; i += 1) lambda.invoke('build', { i });
    for (let i = 0; i < MIN_UNRESERVED_CONCURRENCY + 5; i += 1) lambda.invoke('other', { i });
    await flush();
    // The pool of the others is the quota less the reservations: 103 - 1.
    expect([running('build'), running('other'), lambda.load.throttled]).toEqual([1, MIN_UNRESERVED_CONCURRENCY + 2, 3 + 3]);
    await runToEnd(lambda, finishAll);
    expect([peak('build'), peak('other')]).toEqual([1, MIN_UNRESERVED_CONCURRENCY + 2]);
    expect(lambda.invocations().every((invocation) => invocation.status === 'succeeded' && invocation.attempts === 1)).toBe(true);
    expect(lambda.load).toEqual({ executing: 0, throttled: 0 });
  });

  it('a throttled function does not hold up another one queued behind it', async () => {
    const { lambda, running, finishAll } = invoker();
    lambda.setReservedConcurrency('build', 1);
    lambda.invoke('build', { i: 1 });
    lambda.invoke('build', { i: 2 });
    lambda.invoke('other', { i: 3 });
    await flush();
    expect([running('build'), running('other')]).toEqual([1, 1]);
    await runToEnd(lambda, finishAll);
  });

  it('with 0 reserved the function never runs: its events wait out their maximum age and go to the failure destination', async () => {
    const clock = new ManualClock();
    const deadLetters = new DeadLetters();
    const { lambda, running } = invoker({ clock, deadLetters });
    lambda.configure('stopped', { maximumEventAgeSeconds: 60, onFailure: 'arn:aws:sqs:us-east-1:000000000000:failed' });
    lambda.setReservedConcurrency('stopped', 0);
    lambda.invoke('stopped', { i: 1 });
    await flush();
    clock.advance(59_000);
    await flush();
    expect([running(), lambda.invocations()[0]!.status]).toEqual([0, 'queued']);
    clock.advance(1_000);
    await lambda.idle();
    expect(lambda.invocations().map((invocation) => [invocation.status, invocation.attempts])).toEqual([['expired', 0]]);
    expect(deadLetters.messages().map((entry) => (entry.body as { requestContext: { condition: string } }).requestContext.condition)).toEqual(['EventAgeExceeded']);
    expect(lambda.load).toEqual({ executing: 0, throttled: 0 });
  });

  it('removing the reservation lets the waiting events run in the shared pool', async () => {
    const { lambda, running, finishAll } = invoker();
    lambda.setReservedConcurrency('f', 0);
    for (let i = 0; i < 3; i += 1) lambda.invoke('f', { i });
    await flush();
    expect(running()).toBe(0);
    lambda.setReservedConcurrency('f', undefined);
    await flush();
    expect(running()).toBe(3);
    await runToEnd(lambda, finishAll);
  });

  it.each<[string, number, [string, number][], string, number]>([
    ['a reservation that leaves less than 100 unreserved', DEFAULT_ACCOUNT_CONCURRENCY, [['a', 900], ['b', 1]], 'b', 100],
    ['any reservation but 0 on a new account with a quota of 10 (all of it stays unreserved)', 10, [['a', 0], ['b', 1]], 'b', 10],
  ])('refuses %s, as Lambda does, and keeps what was reserved before', (_name, quota, reservations, refused, minimum) => {
    const { lambda } = invoker();
    lambda.setAccountConcurrency(quota);
    const [last, ...before] = [...reservations].reverse();
    for (const [name, n] of before.reverse()) lambda.setReservedConcurrency(name, n);
    expect(() => lambda.setReservedConcurrency(last![0], last![1])).toThrow(`InvalidParameterValueException: Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${minimum}].`);
    expect(lambda.reservedConcurrency(refused)).toBeUndefined();
    for (const [name, n] of before) expect(lambda.reservedConcurrency(name)).toBe(n);
    expect(() => lambda.setReservedConcurrency('c', -1)).toThrow(/must be an integer >= 0/);
  });
});

