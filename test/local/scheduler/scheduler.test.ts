import {
  ConflictException, CreateScheduleCommand, CreateScheduleGroupCommand, DeleteScheduleCommand, GetScheduleCommand, GetScheduleGroupCommand,
  ListSchedulesCommand, ResourceNotFoundException, SchedulerClient, UpdateScheduleCommand, ValidationException,
} from '@aws-sdk/client-scheduler';
import { LocalBus } from '../../../local/bus';
import { scaledClock } from '../../../local/kernel/clock';
import { startScheduler } from '../../../local/scheduler';
import { SchedulerStuckCheckScheduler, stuckCheckScheduleName } from '../../../shared/notify';
import { SIGNAL_TEST_LIMIT_MS, signalBudget } from '../../helpers/signals';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const BUS = 'arn:aws:events:us-east-1:000000000000:event-bus/default';
const ROLE = 'arn:aws:iam::000000000000:role/scheduler';
const FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:snapshot-data';
const atIn = (ms: number, clock: { now(): number }): string => `at(${new Date(Math.ceil((clock.now() + ms) / 1000) * 1000).toISOString().slice(0, 19)})`;

describe('EventBridge Scheduler emulator (restJson1, real SDK client)', () => {
  const clock = scaledClock(200);
  const bus = new LocalBus({ clock });
  let scheduler: Awaited<ReturnType<typeof startScheduler>>;
  let client: SchedulerClient;
  const invocations: unknown[] = [];
  let failNext = 0;

  beforeAll(async () => {
    scheduler = await startScheduler({ clock, bus });
    client = new SchedulerClient({ ...local, endpoint: scheduler.url });
    scheduler.control.registerFunction('snapshot-data', (payload) => {
      if (failNext > 0) { failNext -= 1; throw new Error('injected failure'); }
      invocations.push(payload);
      return { ok: true };
    });
    await client.send(new CreateScheduleGroupCommand({ Name: 'stuck-checks' }));
  });
  afterAll(async () => {
    client.destroy();
    bus.stop();
    await scheduler.stop();
  });

  it('creates groups once: a second CreateScheduleGroup is a ConflictException; GetScheduleGroup reads it', async () => {
    await expect(client.send(new CreateScheduleGroupCommand({ Name: 'stuck-checks' }))).rejects.toBeInstanceOf(ConflictException);
    expect(await client.send(new GetScheduleGroupCommand({ Name: 'stuck-checks' }))).toMatchObject({ Name: 'stuck-checks', State: 'ACTIVE', Arn: 'arn:aws:scheduler:us-east-1:000000000000:schedule-group/stuck-checks' });
  });

  it('an at() schedule of the adapter puts Portal Stuck Check Due on the bus on the emulator clock, then deletes itself', async () => {
    const budget = signalBudget();
    const adapter = new SchedulerStuckCheckScheduler({ client, groupName: 'stuck-checks', eventBusArn: BUS, roleArn: ROLE });
    const at = new Date(clock.now() + 60_000);
    await adapter.scheduleStuckCheck({ env: 'dev', deploymentId: 'd-1', at });
    await adapter.scheduleStuckCheck({ env: 'dev', deploymentId: 'd-1', at }); // a redelivery: ConflictException, counted as scheduled
    const name = stuckCheckScheduleName('dev', 'd-1', at);
    expect(await client.send(new GetScheduleCommand({ Name: name, GroupName: 'stuck-checks' }))).toMatchObject({
      Name: name, GroupName: 'stuck-checks', ActionAfterCompletion: 'DELETE', FlexibleTimeWindow: { Mode: 'OFF' }, CreationDate: expect.any(Date),
      Target: expect.objectContaining({ Arn: BUS, EventBridgeParameters: { DetailType: 'Portal Stuck Check Due', Source: 'wicked.control-plane' } }),
    });
    const due = await bus.waitFor((event) => event['detail-type'] === 'Portal Stuck Check Due', budget.left(), 'Portal Stuck Check Due');
    expect(due).toMatchObject({ source: 'wicked.control-plane', detail: { env: 'dev', deploymentId: 'd-1' }, resources: [`arn:aws:scheduler:us-east-1:000000000000:schedule/stuck-checks/${name}`] });
    expect(Date.parse(due.time)).toBeGreaterThanOrEqual(Math.floor(at.getTime() / 1000) * 1000);
    await scheduler.control.idle();
    await expect(client.send(new GetScheduleCommand({ Name: name, GroupName: 'stuck-checks' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(bus.timeline.filter((entry) => entry.event['detail-type'] === 'Portal Stuck Check Due')).toHaveLength(1);
  }, SIGNAL_TEST_LIMIT_MS);

  it('a rate() schedule invokes the function target with the context attributes filled in, until deleted', async () => {
    const budget = signalBudget();
    await client.send(new CreateScheduleCommand({
      Name: 'every-minute', ScheduleExpression: 'rate(1 minute)', FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: FUNCTION, RoleArn: ROLE, Input: '{"id":"<aws.scheduler.execution-id>","source":"aws.scheduler","detail-type":"Scheduled Event","time":"<aws.scheduler.scheduled-time>"}' },
    }));
    await scheduler.control.waitFor((run) => run.name === 'every-minute' && run.status === 'delivered', budget.left());
    await client.send(new DeleteScheduleCommand({ Name: 'every-minute' }));
    const runs = scheduler.control.executions.filter((run) => run.name === 'every-minute');
    expect(invocations[0]).toEqual({ id: runs[0]!.executionId, source: 'aws.scheduler', 'detail-type': 'Scheduled Event', time: runs[0]!.scheduledTime });
    expect(runs[0]!.scheduledTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    await expect(client.send(new DeleteScheduleCommand({ Name: 'every-minute' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  }, SIGNAL_TEST_LIMIT_MS);

  it('UpdateSchedule replaces the definition: DISABLED stops the firing (another schedule fires twice meanwhile), ENABLED resumes it', async () => {
    const budget = signalBudget();
    const definition = { ScheduleExpression: 'rate(1 minute)', FlexibleTimeWindow: { Mode: 'OFF' as const }, Target: { Arn: FUNCTION, RoleArn: ROLE } };
    const runsOf = (name: string) => scheduler.control.executions.filter((run) => run.name === name);
    await client.send(new CreateScheduleCommand({ Name: 'paused', ...definition }));
    await scheduler.control.waitFor((run) => run.name === 'paused', budget.left());
    const created = await client.send(new GetScheduleCommand({ Name: 'paused' }));
    await client.send(new UpdateScheduleCommand({ Name: 'paused', ...definition, State: 'DISABLED' }));
    const paused = runsOf('paused').length;
    const updated = await client.send(new GetScheduleCommand({ Name: 'paused' }));
    expect([updated.State, updated.CreationDate, updated.LastModificationDate! >= created.LastModificationDate!]).toEqual(['DISABLED', created.CreationDate, true]);
    // A witness on the same clock: once it fired twice, two emulated minutes passed without a run of the disabled one.
    await client.send(new CreateScheduleCommand({ Name: 'witness', ...definition }));
    await scheduler.control.waitFor((run) => run.name === 'witness' && runsOf('witness').length >= 2, budget.left());
    expect(runsOf('paused')).toHaveLength(paused);
    await client.send(new UpdateScheduleCommand({ Name: 'paused', ...definition, State: 'ENABLED' }));
    await scheduler.control.waitFor((run) => run.name === 'paused' && runsOf('paused').length > paused, budget.left());
    for (const name of ['paused', 'witness']) await client.send(new DeleteScheduleCommand({ Name: name }));
    await expect(client.send(new UpdateScheduleCommand({ Name: 'paused', ...definition }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  }, SIGNAL_TEST_LIMIT_MS);

  it('retries a failing target by its retry policy, then dead-letters to the DLQ', async () => {
    const budget = signalBudget();
    const dlq = 'arn:aws:sqs:us-east-1:000000000000:failures';
    // Armed before the schedule exists: on a fast clock it may fire before CreateSchedule's answer arrives.
    failNext = 1;
    await client.send(new CreateScheduleCommand({
      Name: 'retried', ScheduleExpression: atIn(1_000, clock), FlexibleTimeWindow: { Mode: 'OFF' }, ActionAfterCompletion: 'DELETE',
      Target: { Arn: FUNCTION, RoleArn: ROLE, Input: '{}', RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: dlq } },
    }));
    const recovered = await scheduler.control.waitFor((run) => run.name === 'retried', budget.left());
    expect(recovered).toMatchObject({ status: 'delivered', attempts: 2 });
    failNext = 3;
    await client.send(new CreateScheduleCommand({
      Name: 'lost', ScheduleExpression: atIn(1_000, clock), FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: FUNCTION, RoleArn: ROLE, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: dlq } },
    }));
    const lost = await scheduler.control.waitFor((run) => run.name === 'lost', budget.left());
    expect(lost).toMatchObject({ status: 'dead-lettered', attempts: 3, deadLetterArn: dlq, error: 'injected failure' });
    await scheduler.control.idle();
    // ActionAfterCompletion NONE keeps the one-time schedule; DELETE removed the other.
    expect((await client.send(new ListSchedulesCommand({}))).Schedules?.map((s) => s.Name)).toEqual(['lost']);
  }, SIGNAL_TEST_LIMIT_MS);

  it('with callersNow, a one-time schedule fires when the callers\' clock reaches its instant, however fast the emulator clock runs', async () => {
    const budget = signalBudget();
    const fast = scaledClock(1000);
    const walls = new LocalBus({ clock: fast });
    const local = await startScheduler({ clock: fast, bus: walls, callersNow: Date.now });
    try {
      const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000);
      local.control.createSchedule('wall', { ScheduleExpression: `at(${at.toISOString().slice(0, 19)})`, FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: BUS, RoleArn: ROLE, EventBridgeParameters: { DetailType: 'Tick', Source: 'test' }, Input: '{}' } });
      await walls.waitFor((event) => event['detail-type'] === 'Tick', budget.left(), 'Tick');
      expect(Date.now()).toBeGreaterThanOrEqual(at.getTime());
    } finally {
      walls.stop();
      await local.stop();
    }
  }, SIGNAL_TEST_LIMIT_MS);

  it('fire() runs a cron schedule by hand', async () => {
    await client.send(new CreateScheduleCommand({ Name: 'nightly', ScheduleExpression: 'cron(0 3 * * ? *)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: FUNCTION, RoleArn: ROLE, Input: '{"by":"hand"}' } }));
    const run = scheduler.control.fire('nightly');
    await scheduler.control.idle();
    expect(run.status).toBe('delivered');
    expect(invocations.at(-1)).toEqual({ by: 'hand' });
  });

  it('ListSchedules filters by group and name prefix and pages', async () => {
    for (const n of [1, 2, 3]) {
      await client.send(new CreateScheduleCommand({ Name: `page-${n}`, GroupName: 'stuck-checks', ScheduleExpression: 'cron(0 3 * * ? *)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: BUS, RoleArn: ROLE } }));
    }
    const first = await client.send(new ListSchedulesCommand({ GroupName: 'stuck-checks', NamePrefix: 'page-', MaxResults: 2 }));
    expect(first.Schedules?.map((s) => s.Name)).toEqual(['page-1', 'page-2']);
    const second = await client.send(new ListSchedulesCommand({ GroupName: 'stuck-checks', NamePrefix: 'page-', MaxResults: 2, NextToken: first.NextToken }));
    expect(second.Schedules?.map((s) => [s.Name, s.GroupName, s.Target?.Arn])).toEqual([['page-3', 'stuck-checks', BUS]]);
    expect(second.NextToken).toBeUndefined();
  });

  it.each([
    ['a name Scheduler refuses', { Name: 'bad/name' }, ValidationException],
    ['a group that does not exist', { GroupName: 'nope' }, ResourceNotFoundException],
    ['a malformed expression', { ScheduleExpression: 'cron(0 3 * * *)' }, ValidationException],
    ['a time zone the emulator does not run', { ScheduleExpressionTimezone: 'Europe/Berlin' }, ValidationException],
    ['a schedule name already taken', { Name: 'nightly' }, ConflictException],
    ['a role that is not a role ARN', { Target: { Arn: FUNCTION, RoleArn: 'arn:aws:iam::1:role/short-account' } }, ValidationException],
  ])('refuses %s', async (_case, override, type) => {
    const input = { Name: 'refused', ScheduleExpression: 'rate(1 hour)', FlexibleTimeWindow: { Mode: 'OFF' as const }, Target: { Arn: FUNCTION, RoleArn: ROLE }, ...override };
    await expect(client.send(new CreateScheduleCommand(input))).rejects.toBeInstanceOf(type);
  });
});
