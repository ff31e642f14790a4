import { DeadLetters } from '../../../local/kernel/dead-letters';
import { AsyncInvoker } from '../../../local/lambda/async-invoke';
import { FunctionError } from '../../../local/lambda/functions';
import { ManualClock } from '../backup/manual-clock';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:fn';

/** Lambda's asynchronous invocation on a clock the test moves ("How Lambda handles errors and retries with asynchronous invocation"). */
describe('AsyncInvoker', () => {
  let clock: ManualClock;
  let letters: DeadLetters;
  let runs: number[];
  let outcomes: ('fail' | 'ok')[];
  let lambda: AsyncInvoker;
  /** Lets the invoker's promise chain run, then moves the clock. */
  const advance = async (ms: number): Promise<void> => {
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
    clock.advance(ms);
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
  };

  beforeEach(() => {
    clock = new ManualClock();
    letters = new DeadLetters();
    runs = [];
    outcomes = [];
    lambda = new AsyncInvoker({
      clock, deadLetters: letters, functionArn: (name) => (name === 'fn' ? ARN : undefined),
      run: async () => {
        runs.push(clock.now());
        if ((outcomes.shift() ?? 'fail') === 'fail') throw new FunctionError('fn', 'Error', 'boom', '');
        return 'done';
      },
    });
  });

  it('answers 202 at once and retries a function error after one, then two minutes (3 runs by default)', async () => {
    const start = clock.now();
    expect(lambda.invoke('fn', { n: 1 })).toMatchObject({ StatusCode: 202 });
    await advance(59_999);
    expect(runs.map((t) => t - start)).toEqual([0]);
    await advance(1);
    await advance(119_999);
    expect(runs.map((t) => t - start)).toEqual([0, 60_000]);
    await advance(1);
    await lambda.idle();
    expect(runs.map((t) => t - start)).toEqual([0, 60_000, 180_000]);
    expect(lambda.invocations('fn')[0]).toMatchObject({ attempts: 3, status: 'failed' });
  });

  it.each([
    [{ maximumRetryAttempts: 0 }, 1],
    [{ maximumRetryAttempts: 1 }, 2],
  ])('%j runs the function %i time(s)', async (config, expected) => {
    lambda.configure('fn', config);
    lambda.invoke('fn', {});
    for (let i = 0; i < 4; i += 1) await advance(120_000);
    await lambda.idle();
    expect(runs).toHaveLength(expected);
  });

  it('a success on a retry ends the invocation: no dead letter, the on-success destination gets the record', async () => {
    lambda.configure('fn', { onFailure: 'arn:aws:sqs:us-east-1:000000000000:f', onSuccess: 'arn:aws:sqs:us-east-1:000000000000:s' });
    outcomes.push('fail', 'ok');
    lambda.invoke('fn', { n: 2 });
    await advance(60_000);
    await lambda.idle();
    expect(letters.messages().map((l) => [l.destination, (l.body as { requestContext: { condition: string; approximateInvokeCount: number } }).requestContext])).toEqual([
      ['arn:aws:sqs:us-east-1:000000000000:s', expect.objectContaining({ condition: 'Success', approximateInvokeCount: 2 })],
    ]);
  });

  it('an event older than MaximumEventAgeInSeconds is discarded before its next attempt (EventAgeExceeded)', async () => {
    lambda.configure('fn', { maximumEventAgeSeconds: 90, onFailure: 'arn:aws:sqs:us-east-1:000000000000:f', deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:dlq' });
    lambda.invoke('fn', { n: 3 });
    await advance(60_000);
    await advance(120_000);
    await lambda.idle();
    expect(runs).toHaveLength(2);
    expect(lambda.invocations('fn')[0]).toMatchObject({ status: 'expired', attempts: 2 });
    const [dlq, record] = letters.messages();
    expect(dlq).toMatchObject({ destination: 'arn:aws:sqs:us-east-1:000000000000:dlq', body: { n: 3 }, attributes: { ErrorMessage: 'boom' } });
    expect(record?.body).toMatchObject({ requestContext: { condition: 'EventAgeExceeded', approximateInvokeCount: 2 }, responsePayload: { errorType: 'Error', errorMessage: 'boom' } });
  });

  it('refuses a function that does not exist (the caller\'s retry policy applies) and anything once stopped', async () => {
    expect(() => lambda.invoke('nope', {})).toThrow(/Function not found: nope/);
    lambda.invoke('fn', {});
    await advance(0);
    await lambda.stop();
    expect(runs).toHaveLength(1);
    expect(() => lambda.invoke('fn', {})).toThrow(/stopped/);
  });
});
