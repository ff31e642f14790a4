import 'aws-sdk-client-mock-jest';
import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient, ValidationException } from '@aws-sdk/client-scheduler';
import { InternalErrorException, KMSDisabledException, NotFoundException, PublishCommand, SNSClient, ThrottledException } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { atExpression, RecurringSchedule, SchedulerReconcileNudge, SchedulerStuckCheckScheduler, SnsNotifier, stuckCheckScheduleName } from '../../shared/notify';
import { toSweepScheduleInput } from '../../shared/snapshot/sweep';

const AT = new Date('2026-11-23T12:30:00.000Z');

const sns = mockClient(SNSClient);
const scheduler = mockClient(SchedulerClient);
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:wicked-prod';
const TARGET = { groupName: 'wicked-prod-stuck-checks', eventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/default', roleArn: 'arn:aws:iam::123456789012:role/stuck-check' };

afterEach(() => {
  sns.reset();
  scheduler.reset();
});

describe('SnsNotifier', () => {
  it('publishes to the topic with the SNS-safe subject and String attributes', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    // Act
    await new SnsNotifier({ topicArn: TOPIC, client: new SNSClient({}) }).notify({ subject: 'wicked prod: déploiement stuck', message: 'no terminal event', attributes: { env: 'prod', outcome: 'stuck' } });
    // Assess
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC, Subject: 'wicked prod: d?ploiement stuck', Message: 'no terminal event',
      MessageAttributes: { env: { DataType: 'String', StringValue: 'prod' }, outcome: { DataType: 'String', StringValue: 'stuck' } },
    });
  });

  it.each([
    ['a missing topic is not retryable', new NotFoundException({ message: 'Topic does not exist', $metadata: { httpStatusCode: 404 } }), false],
    ['an SNS internal error is retryable', new InternalErrorException({ message: 'try again', $metadata: { httpStatusCode: 500 } }), true],
    ['SNS throttling is retryable', new ThrottledException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }), true],
    ['a KMS key SNS could not use is final', new KMSDisabledException({ message: 'key disabled', $metadata: { httpStatusCode: 400 } }), false],
  ])('%s, and the error names the topic', async (_case, failure, retryable) => {
    sns.on(PublishCommand).rejects(failure);
    const notifying = new SnsNotifier({ topicArn: TOPIC, client: new SNSClient({}) }).notify({ subject: 's', message: 'm', attributes: {} });
    await expect(notifying).rejects.toMatchObject({ code: 'SNS_FAILED', retryable, message: expect.stringContaining(`publishing "s" to ${TOPIC}: ${failure.name}`) });
  });
});

describe('SchedulerStuckCheckScheduler', () => {
  it('creates a one-time UTC schedule that puts Portal Stuck Check Due on the bus and deletes itself', async () => {
    // Prepare
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    // Act
    await new SchedulerStuckCheckScheduler({ ...TARGET, client: new SchedulerClient({}) }).scheduleStuckCheck({ env: 'prod', deploymentId: 'd-1', at: new Date('2026-11-23T12:30:00.000Z') });
    // Assess
    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: stuckCheckScheduleName('prod', 'd-1', new Date('2026-11-23T12:30:00.000Z')),
      GroupName: TARGET.groupName,
      ScheduleExpression: 'at(2026-11-23T12:30:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: expect.objectContaining({
        Arn: TARGET.eventBusArn, RoleArn: TARGET.roleArn, Input: '{"env":"prod","deploymentId":"d-1"}',
        EventBridgeParameters: { DetailType: 'Portal Stuck Check Due', Source: 'wicked.control-plane' },
      }),
    });
  });

  it('counts a ConflictException (same name: the check was scheduled before) as already scheduled', async () => {
    scheduler.on(CreateScheduleCommand).rejects(new ConflictException({ message: 'Schedule already exists.', Message: 'Schedule already exists.', $metadata: { httpStatusCode: 409 } }));
    const scheduling = new SchedulerStuckCheckScheduler({ ...TARGET, client: new SchedulerClient({}) }).scheduleStuckCheck({ env: 'prod', deploymentId: 'd-1', at: AT });
    await expect(scheduling).resolves.toBeUndefined();
    expect(scheduler).toHaveReceivedCommandTimes(CreateScheduleCommand, 1);
  });

  it('maps a connection reset (no HTTP answer) to a retryable SCHEDULER_FAILED', async () => {
    scheduler.on(CreateScheduleCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: { attempts: 3 } }));
    const scheduling = new SchedulerStuckCheckScheduler({ ...TARGET, client: new SchedulerClient({}) }).scheduleStuckCheck({ env: 'prod', deploymentId: 'd-1', at: AT });
    await expect(scheduling).rejects.toMatchObject({ code: 'SCHEDULER_FAILED', retryable: true });
  });

  it('rejects other errors with SCHEDULER_FAILED naming schedule and group', async () => {
    scheduler.on(CreateScheduleCommand).rejects(new ValidationException({ message: 'bad role', Message: 'bad role', $metadata: { httpStatusCode: 400 } }));
    const scheduling = new SchedulerStuckCheckScheduler({ ...TARGET, client: new SchedulerClient({}) }).scheduleStuckCheck({ env: 'prod', deploymentId: 'd-1', at: AT });
    await expect(scheduling).rejects.toMatchObject({
      code: 'SCHEDULER_FAILED', retryable: false,
      message: `creating schedule ${stuckCheckScheduleName('prod', 'd-1', AT)} in group ${TARGET.groupName}: ValidationException: bad role`,
    });
  });
});

describe('schedule names and expressions', () => {
  it.each([
    ['a plain id', 'prod', '0000000042-ab12'],
    ['characters Scheduler refuses', 'dev', 'd/1:2 3#é'],
    ['a long id', 'a-very-long-environment-name-xx', 'x'.repeat(200)],
  ])('%s gives a valid, deterministic name of at most 64 characters', (_case, env, id) => {
    const name = stuckCheckScheduleName(env, id, AT);
    expect(name).toMatch(/^[0-9A-Za-z_.-]{1,64}$/);
    expect(stuckCheckScheduleName(env, id, new Date(AT.getTime()))).toBe(name);
    expect(name.startsWith(`stuck-${env}-`)).toBe(true);
  });

  it('keeps deployments apart even when their readable part is cut the same', () => {
    const long = 'x'.repeat(100);
    expect(stuckCheckScheduleName('prod', `${long}1`, AT)).not.toBe(stuckCheckScheduleName('prod', `${long}2`, AT));
    expect(stuckCheckScheduleName('prod', 'a/b', AT)).not.toBe(stuckCheckScheduleName('prod', 'a:b', AT));
    expect(stuckCheckScheduleName('dev', 'd-1', AT)).not.toBe(stuckCheckScheduleName('prod', 'd-1', AT));
  });

  it('gives each deadline of a deployment its own name (the gate, then the rollout), the same within one second', () => {
    const later = new Date(AT.getTime() + 30 * 60_000);
    expect(stuckCheckScheduleName('prod', 'd-1', AT)).not.toBe(stuckCheckScheduleName('prod', 'd-1', later));
    expect(stuckCheckScheduleName('prod', 'd-1', new Date(AT.getTime() + 400))).toBe(stuckCheckScheduleName('prod', 'd-1', new Date(AT.getTime() + 900)));
  });

  it.each([
    ['2026-11-23T12:30:00.000Z', 'at(2026-11-23T12:30:00)'],
    ['2026-11-23T12:30:00.001Z', 'at(2026-11-23T12:30:01)'],
    ['2026-12-31T23:59:59.500Z', 'at(2027-01-01T00:00:00)'],
  ])('atExpression(%s) is %s (UTC, rounded up to the second)', (iso, expected) => {
    expect(atExpression(new Date(iso))).toBe(expected);
  });

  it('refuses an invalid date with INVALID_SCHEDULE_TIME', () => {
    expect(() => atExpression(new Date('nope'))).toThrow(expect.objectContaining({ code: 'INVALID_SCHEDULE_TIME' }));
  });
});

describe('RecurringSchedule: the safety-net nudge and the snapshot sweep, switched on and off', () => {
  const SWEEP = { groupName: TARGET.groupName, functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:snapshot-data', roleArn: 'arn:aws:iam::123456789012:role/schedule' };
  const sweep = (): RecurringSchedule => new RecurringSchedule((env) => toSweepScheduleInput(env, SWEEP), new SchedulerClient({}));

  it('switches on with CreateSchedule of the whole input, and off with DeleteSchedule of its name in its group', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    scheduler.on(DeleteScheduleCommand).resolves({});
    await sweep().arm('prod');
    await sweep().disarm('prod');
    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, toSweepScheduleInput('prod', SWEEP));
    expect(scheduler).toHaveReceivedCommandWith(DeleteScheduleCommand, { Name: 'snapshot-sweep-prod', GroupName: TARGET.groupName });
    await new SchedulerReconcileNudge({ ...TARGET, client: new SchedulerClient({}) }).disarm('prod');
    expect(scheduler).toHaveReceivedCommandWith(DeleteScheduleCommand, { Name: 'reconcile-prod', GroupName: TARGET.groupName });
  });

  it('counts a schedule that exists as on (ConflictException) and one that is gone as off (ResourceNotFoundException)', async () => {
    scheduler.on(CreateScheduleCommand).rejects(new ConflictException({ message: 'Schedule already exists.', Message: 'Schedule already exists.', $metadata: { httpStatusCode: 409 } }));
    scheduler.on(DeleteScheduleCommand).rejects(new ResourceNotFoundException({ message: 'Schedule not found.', Message: 'Schedule not found.', $metadata: { httpStatusCode: 404 } }));
    await expect(sweep().arm('prod')).resolves.toBeUndefined();
    await expect(sweep().disarm('prod')).resolves.toBeUndefined();
  });

  it('rejects other errors with SCHEDULER_FAILED naming the schedule and its group', async () => {
    scheduler.on(DeleteScheduleCommand).rejects(new ValidationException({ message: 'bad name', Message: 'bad name', $metadata: { httpStatusCode: 400 } }));
    await expect(sweep().disarm('prod')).rejects.toMatchObject({ code: 'SCHEDULER_FAILED', retryable: false, message: expect.stringContaining(`deleting schedule snapshot-sweep-prod in group ${TARGET.groupName}`) });
  });
});
