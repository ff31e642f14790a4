import { AsyncInvoker, DEFAULT_ACCOUNT_CONCURRENCY } from '../../../local/lambda/async-invoke';
import { DeadLetters } from '../../../local/kernel/dead-letters';
import { scaledClock } from '../../../local/kernel/clock';

/** An invoker whose function runs finish when the test says so. */
function invoker(): { lambda: AsyncInvoker; running: () => number; peak: () => number; finishAll: () => void } {
  let running = 0;
  let peak = 0;
  const finishers: (() => void)[] = [];
  const lambda = new AsyncInvoker({
    clock: scaledClock(1),
    deadLetters: new DeadLetters(),
    functionArn: (name) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    run: () => new Promise((resolve) => {
      running += 1;
      peak = Math.max(peak, running);
      finishers.push(() => { running -= 1; resolve(null); });
    }),
  });
  return { lambda, running: () => running, peak: () => peak, finishAll: () => { for (const finish of finishers.splice(0)) finish(); } };
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
