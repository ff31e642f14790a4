import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DuplicateNameError, InvalidPatternError, InvalidScheduleError, LocalBus, parseRate, retryDelay, startEventBridge } from '../../../local/bus';
import { DeadLetters } from '../../../local/kernel/dead-letters';
import { ManualClock } from '../backup/manual-clock';
import type { AwsEvent } from '../../../local/kernel/events';
import { scaledClock } from '../../../local/kernel/clock';
import { EventPublisher } from '../../../shared/adapters/event-publisher';
import { CONFIG_UPLOADED_RULE, CONTROL_PLANE_RULES } from '../../../shared/events/rules';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

function s3Created(bucket: string, key: string) {
  return { source: 'aws.s3', 'detail-type': 'Object Created', resources: [`arn:aws:s3:::${bucket}`], detail: { bucket: { name: bucket }, object: { key } } };
}

describe('parseRate (EventBridge "Schedule expressions for rules")', () => {
  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 300_000],
    ['rate(1 hour)', 3_600_000],
    ['rate(12 hours)', 43_200_000],
    ['rate(1 day)', 86_400_000],
  ])('%s -> %d ms', (expression, ms) => {
    expect(parseRate(expression)).toBe(ms);
  });

  it.each(['rate(1 minutes)', 'rate(5 minute)', 'rate(0 minutes)', 'rate(5 seconds)', 'cron(0 3 * * ? *)', 'rate(-1 day)'])('refuses %s', (expression) => {
    expect(() => parseRate(expression)).toThrow(InvalidScheduleError);
  });

  it.each([[1, 1000], [2, 2000], [4, 8000], [10, 60_000]])('retry %d waits %d ms (exponential, capped)', (attempt, ms) => {
    expect(retryDelay(attempt, 1000, 60_000)).toBe(ms);
  });
});

describe('LocalBus', () => {
  let bus: LocalBus;
  beforeEach(() => { bus = new LocalBus({ clock: scaledClock(10_000), retryBaseMs: 1000 }); });
  afterEach(() => bus.stop());

  it('routes a matching event to its rule target asynchronously and records it on the timeline', async () => {
    const received: AwsEvent[] = [];
    bus.registerTarget('build-image', (event) => { received.push(event); return 'ok'; });
    bus.addRule({ name: CONFIG_UPLOADED_RULE.name, pattern: CONFIG_UPLOADED_RULE.pattern({ configBucket: 'cfg', cluster: 'wicked-dev' }), targetId: CONFIG_UPLOADED_RULE.target });
    const event = bus.put(s3Created('cfg', 'config/dev/a.tgz'));
    bus.put(s3Created('cfg', 'static/readme.txt'));
    bus.put(s3Created('other', 'config/dev/a.tgz'));
    expect(received).toHaveLength(0); // never delivered inside put()
    await bus.idle();
    expect(received.map((e) => e.id)).toEqual([event.id]);
    expect(bus.timeline).toHaveLength(3);
    expect(bus.timeline[0]!.deliveries).toEqual([{ rule: 'ConfigUploaded', target: 'build-image', attempts: 1, status: 'delivered', result: 'ok' }]);
    expect(bus.timeline[1]!.deliveries).toEqual([]);
    expect(event).toMatchObject({ version: '0', account: '000000000000', region: 'us-east-1', source: 'aws.s3' });
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('retries a failing target with back-off, then dead-letters after retryAttempts', async () => {
    let calls = 0;
    bus.registerTarget('flaky', () => { calls += 1; if (calls < 3) throw new Error(`failure ${calls}`); return 'done'; });
    bus.registerTarget('broken', () => { throw new Error('always'); });
    bus.addRule({ name: 'to-flaky', pattern: { source: ['x'] }, targetId: 'flaky', retryAttempts: 5 });
    bus.addRule({ name: 'to-broken', pattern: { source: ['x'] }, targetId: 'broken', retryAttempts: 2 });
    bus.put({ source: 'x', 'detail-type': 'T', resources: [], detail: {} });
    await bus.idle();
    const [flaky, broken] = bus.timeline[0]!.deliveries;
    expect(flaky).toMatchObject({ status: 'delivered', attempts: 3, result: 'done' });
    expect(flaky!.error).toBeUndefined();
    expect(broken).toMatchObject({ status: 'dead-lettered', attempts: 3, error: 'always' });
  });

  it('with retryMinWallMs, a fast clock still waits the wall-clock floor between retries (0.1 s, then 0.2 s)', async () => {
    const fast = new LocalBus({ clock: scaledClock(1e9), retryBaseMs: 1000, retryMinWallMs: 100 });
    try {
      const calls: number[] = [];
      fast.registerTarget('waits', () => { calls.push(Date.now()); if (calls.length < 3) throw new Error('not yet'); return 'done'; });
      fast.addRule({ name: 'r', pattern: { source: ['x'] }, targetId: 'waits', retryAttempts: 5 });
      fast.put({ source: 'x', 'detail-type': 'T', resources: [], detail: {} });
      await fast.idle();
      expect(fast.timeline[0]!.deliveries[0]).toMatchObject({ status: 'delivered', attempts: 3 });
      expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(95);
      expect(calls[2]! - calls[1]!).toBeGreaterThanOrEqual(195);
    } finally {
      fast.stop();
    }
  });

  it('without retryMinWallMs, a fast clock retries at once (the emulated back-off only)', async () => {
    const fast = new LocalBus({ clock: scaledClock(1e9), retryBaseMs: 1000 });
    // No wall-clock threshold (a busy machine breaks it): no timer of the retries may wait a wall-clock floor.
    const timers = jest.spyOn(global, 'setTimeout');
    try {
      fast.registerTarget('broken', () => { throw new Error('always'); });
      fast.addRule({ name: 'r', pattern: { source: ['x'] }, targetId: 'broken', retryAttempts: 3 });
      fast.put({ source: 'x', 'detail-type': 'T', resources: [], detail: {} });
      await fast.idle();
      expect(fast.timeline[0]!.deliveries[0]).toMatchObject({ status: 'dead-lettered', attempts: 4 });
      const delays = timers.mock.calls.map(([, ms]) => Number(ms ?? 0));
      expect(delays.length).toBeGreaterThanOrEqual(3);
      expect(delays.filter((ms) => ms >= 1)).toEqual([]);
    } finally {
      timers.mockRestore();
      fast.stop();
    }
  });

  it.each([
    // retry delays 1, 2, 4 s: the fourth attempt is the last of 3 retries
    [{ retryAttempts: 3 }, 4, 'MaximumRetryAttemptsExhausted'],
    // the second retry would start 3 s after the first attempt: older than 2 s, no more retries
    [{ retryAttempts: 8, maxEventAgeSeconds: 2 }, 2, 'MaximumEventAgeExceeded'],
  ])('a target with %j is given up after %i attempts and its dead-letter queue gets the event (%s, EventBridge "Using dead-letter queues")', async (policy, attempts, condition) => {
    const letters = new DeadLetters();
    // A clock that moves only when told: the event's age is exact whatever the machine's load.
    const clock = new ManualClock();
    const fast = new LocalBus({ clock, retryBaseMs: 1000, deadLetters: letters });
    try {
      fast.registerTarget('broken', () => { throw new Error('always'); });
      fast.addRule({ name: 'r/T', pattern: { source: ['x'] }, targetId: 'broken', targetArn: 'arn:aws:lambda:us-east-1:000000000000:function:broken', deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:dlq', ...policy });
      const event = fast.put({ source: 'x', 'detail-type': 'T', resources: [], detail: {} });
      for (let second = 0; second < 20; second += 1) {
        for (let i = 0; i < 5; i += 1) await Promise.resolve();
        clock.advance(1000);
      }
      await fast.idle();
      expect(fast.timeline[0]!.deliveries[0]).toMatchObject({ status: 'dead-lettered', attempts });
      expect(letters.messages()).toEqual([{
        destination: 'arn:aws:sqs:us-east-1:000000000000:dlq', source: 'eventbridge-target', body: event, at: expect.any(Number),
        attributes: { ERROR_CODE: 'TargetInvocationFailed', ERROR_MESSAGE: 'always', EXHAUSTED_RETRY_CONDITION: condition, RETRY_ATTEMPTS: String(attempts - 1), RULE_ARN: 'arn:aws:events:us-east-1:000000000000:rule/r', TARGET_ARN: 'arn:aws:lambda:us-east-1:000000000000:function:broken' },
      }]);
    } finally {
      fast.stop();
    }
  });

  it('dead-letters events for a rule whose target is not registered, naming the known targets', async () => {
    bus.registerTarget('a', () => undefined);
    bus.addRule({ name: 'r', pattern: { source: ['x'] }, targetId: 'missing', retryAttempts: 0 });
    bus.put({ source: 'x', 'detail-type': 'T', resources: [], detail: {} });
    await bus.idle();
    expect(bus.timeline[0]!.deliveries[0]).toMatchObject({ status: 'dead-lettered', error: expect.stringContaining('registered targets: a') });
  });

  it('refuses duplicate names and malformed patterns when the rule is added', () => {
    bus.addRule({ name: 'r', pattern: { source: ['x'] }, targetId: 't' });
    expect(() => bus.addRule({ name: 'r', pattern: { source: ['y'] }, targetId: 't' })).toThrow(DuplicateNameError);
    expect(() => bus.addRule({ name: 'bad', pattern: { source: 'x' }, targetId: 't' })).toThrow(InvalidPatternError);
  });

  it('fires a schedule by hand with the Scheduled Event shape, and rate() schedules through the clock', async () => {
    const fired: AwsEvent[] = [];
    bus.registerTarget('snapshot', (event) => { fired.push(event); });
    bus.addSchedule({ name: 'snapshot-by-hand', expression: 'cron(0 3 * * ? *)', targetId: 'snapshot' });
    const manual = bus.fireSchedule('snapshot-by-hand');
    expect(manual).toMatchObject({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {}, resources: ['arn:aws:events:us-east-1:000000000000:rule/snapshot-by-hand'] });
    bus.addSchedule({ name: 'every-minute', expression: 'rate(1 minute)', targetId: 'snapshot' });
    // 10 000x: one emulated minute is 6 ms of wall time
    await bus.waitFor((event) => event.resources[0]!.endsWith('/every-minute'), 2000);
    await bus.idle();
    expect(fired.length).toBeGreaterThanOrEqual(2);
  });

  it('waitFor resolves with a past or future event and rejects with a timeout', async () => {
    bus.put({ source: 'past', 'detail-type': 'T', resources: [], detail: {} });
    await expect(bus.waitFor((e) => e.source === 'past')).resolves.toMatchObject({ source: 'past' });
    const future = bus.waitFor((e) => e.source === 'future');
    setTimeout(() => bus.put({ source: 'future', 'detail-type': 'T', resources: [], detail: {} }), 5);
    await expect(future).resolves.toMatchObject({ source: 'future' });
    await expect(bus.waitFor((e) => e.source === 'never', 20, 'source never')).rejects.toThrow('no event matching source never within 20 ms');
  });

  it('lists only rules whose target functions exist', () => {
    for (const rule of CONTROL_PLANE_RULES) expect(existsSync(join(__dirname, '..', '..', '..', 'functions', rule.target, 'handler.ts'))).toBe(true);
    expect(CONTROL_PLANE_RULES.map((rule) => rule.target)).toContain('build-image');
  });
});

describe('EventBridge PutEvents through @aws-sdk/client-eventbridge', () => {
  it('puts entries on the bus, reports per-entry failures with status 200 (PutEvents API reference)', async () => {
    const bus = new LocalBus({ clock: scaledClock(1000) });
    const server = await startEventBridge({ bus });
    const client = new EventBridgeClient({ ...local, endpoint: server.url });
    try {
      const output = await client.send(new PutEventsCommand({
        Entries: [
          { Source: 'wicked.control-plane', DetailType: 'Portal Image Built', Detail: JSON.stringify({ tag: 'cfg-1' }), Resources: ['arn:aws:s3:::cfg/config/dev/a.tgz'] },
          { Source: 'wicked.control-plane', DetailType: 'X', Detail: '[1,2]' },
          { Source: 'wicked.control-plane', DetailType: 'X', Detail: '{}', EventBusName: 'nope' },
        ],
      }));
      expect(output.FailedEntryCount).toBe(2);
      expect(output.Entries![0]!.EventId).toBe(bus.timeline[0]!.event.id);
      expect(output.Entries![1]).toMatchObject({ ErrorCode: 'MalformedDetail' });
      expect(output.Entries![2]).toMatchObject({ ErrorCode: 'ResourceNotFoundException' });
      expect(bus.timeline).toHaveLength(1);
      expect(bus.timeline[0]!.event).toMatchObject({ 'detail-type': 'Portal Image Built', detail: { tag: 'cfg-1' }, resources: ['arn:aws:s3:::cfg/config/dev/a.tgz'] });
      await expect(client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'd', Detail: '{}' })) })))
        .rejects.toMatchObject({ name: 'ValidationException' });
      // the project's own adapter works unchanged against it
      const id = await new EventPublisher({ busName: 'default', client }).publish('Portal Config Rejected', { reason: 'invalid-config' });
      expect(bus.timeline.at(-1)!.event).toMatchObject({ id, source: 'wicked.control-plane', 'detail-type': 'Portal Config Rejected' });
    } finally {
      client.destroy();
      await server.stop();
      bus.stop();
    }
  });
});
