import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Cloud } from '../../../local/cloud';
import { startCloud } from '../../../local/cloud';

const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:failures';
const RULE_DLQ = 'arn:aws:sqs:us-east-1:000000000000:rule-dead-letters';
const FN_DLQ = 'arn:aws:sqs:us-east-1:000000000000:fn-dead-letters';
const failing = "exports.handler = async (e) => { console.log('attempt', JSON.stringify(e)); throw new Error('boom: ' + (e.detail ? e.detail.n : e.n)); };";
const fn = (name: string, extra: object = {}) => ({ Type: 'AWS::Lambda::Function', Properties: { FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Timeout: 10, Code: { ZipFile: failing }, ...extra } });
const target = (logicalId: string, extra: object = {}) => ({ Arn: { 'Fn::GetAtt': [logicalId, 'Arn'] }, Id: 'T', ...extra });
const pattern = (n: string) => ({ source: ['test.async'], 'detail-type': [n] });

/**
 * The shapes the app's CDK constructs synthesize (control-plane-function.ts:
 * `retryAttempts: 2, onFailure: SqsDestination` -> AWS::Lambda::EventInvokeConfig;
 * control-plane-rules.ts: target RetryPolicy and DeadLetterConfig; snapshot-functions.ts:
 * the schedule's RetryPolicy and DeadLetterConfig).
 */
const template = {
  Resources: {
    Failures: { Type: 'AWS::SQS::Queue', Properties: {} },
    Failing: fn('async-failing'),
    FailingConfig: { Type: 'AWS::Lambda::EventInvokeConfig', Properties: { FunctionName: { Ref: 'Failing' }, Qualifier: '$LATEST', MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: QUEUE } } } },
    FailingRule: { Type: 'AWS::Events::Rule', Properties: { EventPattern: pattern('Fail'), Targets: [target('Failing', { RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: RULE_DLQ } })] } },
    Once: fn('async-once', { DeadLetterConfig: { TargetArn: FN_DLQ } }),
    OnceConfig: { Type: 'AWS::Lambda::EventInvokeConfig', Properties: { FunctionName: { Ref: 'Once' }, Qualifier: '$LATEST', MaximumRetryAttempts: 0 } },
    OnceRule: { Type: 'AWS::Events::Rule', Properties: { EventPattern: pattern('Once'), Targets: [target('Once')] } },
    MissingRule: { Type: 'AWS::Events::Rule', Properties: { EventPattern: pattern('Missing'), Targets: [{ Arn: 'arn:aws:lambda:us-east-1:000000000000:function:not-deployed', Id: 'T', RetryPolicy: { MaximumRetryAttempts: 1 }, DeadLetterConfig: { Arn: RULE_DLQ } }] } },
    Schedule: {
      Type: 'AWS::Scheduler::Schedule',
      Properties: {
        Name: 'async-schedule', ScheduleExpression: 'cron(0 3 * * ? *)', FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: { 'Fn::GetAtt': ['Failing', 'Arn'] }, RoleArn: 'arn:aws:iam::000000000000:role/scheduler', Input: '{"n":"scheduled","id":"<aws.scheduler.execution-id>"}', RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: RULE_DLQ } },
      },
    },
  },
};

describe('Lambda targets of rules and schedules are invoked asynchronously, as on AWS', () => {
  let dir: string;
  let cloud: Cloud;
  let events: EventBridgeClient;
  const put = (detailType: string, n: string) => events.send(new PutEventsCommand({ Entries: [{ Source: 'test.async', DetailType: detailType, Detail: JSON.stringify({ n }) }] }));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lambda-async-'));
    // One emulated minute per 0.1 s of wall time: Lambda's one- and two-minute retry waits pass quickly.
    cloud = await startCloud({ stateDir: join(dir, 'state'), clockSpeed: 600 });
    events = new EventBridgeClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: cloud.endpoints.eventbridge });
    const cs = await cloud.cloudformation.createChangeSet({ StackName: 'async', ChangeSetName: 'create', ChangeSetType: 'CREATE', TemplateBody: JSON.stringify(template), Parameters: [], Capabilities: [], Tags: [] });
    cloud.cloudformation.executeChangeSet(cs.id);
    await cloud.cloudformation.settled();
    const stack = cloud.cloudformation.stack('async');
    expect({ status: stack.status, failed: stack.events.filter((e) => e.ResourceStatus?.endsWith('_FAILED')).map((e) => e.ResourceStatusReason) }).toEqual({ status: 'CREATE_COMPLETE', failed: [] });
  }, 60_000);
  afterAll(async () => {
    events?.destroy();
    await cloud?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('a function error: EventBridge delivered once (Lambda took the event), Lambda ran it 3 times, then the on-failure destination got the invocation record', async () => {
    await put('Fail', 'first');
    const letter = await cloud.deadLetters.waitFor((l) => l.destination === QUEUE, 20_000, 'the failure record of async-failing');
    expect(letter.source).toBe('lambda-destination');
    expect(letter.body).toEqual({
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      requestContext: { requestId: expect.any(String), functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:async-failing:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: expect.objectContaining({ source: 'test.async', 'detail-type': 'Fail', detail: { n: 'first' } }),
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'boom: first' },
    });
    const runs = cloud.functions.invocations('async-failing');
    expect(runs.map((r) => r.outcome)).toEqual(['error', 'error', 'error']);
    const [async] = cloud.lambdaAsync.invocations('async-failing');
    expect(async).toMatchObject({ attempts: 3, status: 'failed' });
    // EventBridge's retry policy is about its call to Lambda, which succeeded: one attempt, no dead letter.
    const entry = cloud.bus.timeline.find((e) => e.event['detail-type'] === 'Fail')!;
    expect(entry.deliveries).toEqual([expect.objectContaining({ attempts: 1, status: 'delivered', result: { StatusCode: 202, requestId: async!.requestId } })]);
    expect(cloud.deadLetters.messages(RULE_DLQ).filter((l) => (l.body as { 'detail-type'?: string })['detail-type'] === 'Fail')).toEqual([]);
  });

  it('MaximumRetryAttempts 0 runs the function once; its DeadLetterConfig queue gets the event with RequestID and ErrorMessage', async () => {
    await put('Once', 'second');
    const letter = await cloud.deadLetters.waitFor((l) => l.destination === FN_DLQ, 20_000, 'the dead letter of async-once');
    expect(letter).toMatchObject({ source: 'lambda-dead-letter-queue', attributes: { ErrorCode: '200', ErrorMessage: 'boom: second' } });
    expect(letter.body).toMatchObject({ 'detail-type': 'Once', detail: { n: 'second' } });
    const [async] = cloud.lambdaAsync.invocations('async-once');
    expect(letter.attributes.RequestID).toBe(async!.requestId);
    expect(cloud.functions.invocations('async-once').map((r) => r.outcome)).toEqual(['error']);
  });

  it('a target EventBridge cannot invoke (no such function) is retried by EventBridge\'s policy, then goes to the rule target\'s dead-letter queue', async () => {
    await put('Missing', 'third');
    const letter = await cloud.deadLetters.waitFor((l) => l.destination === RULE_DLQ && l.source === 'eventbridge-target', 20_000, 'the rule target dead letter');
    expect(letter.body).toMatchObject({ 'detail-type': 'Missing', detail: { n: 'third' } });
    expect(letter.attributes).toMatchObject({ EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttemptsExhausted', RETRY_ATTEMPTS: '1', TARGET_ARN: 'arn:aws:lambda:us-east-1:000000000000:function:not-deployed' });
    expect(letter.attributes.RULE_ARN).toMatch(/^arn:aws:events:us-east-1:000000000000:rule\/async-MissingRule-/);
    expect(letter.attributes.ERROR_MESSAGE).toMatch(/not-deployed/);
  });

  it('a schedule\'s Lambda target is invoked asynchronously too: the execution is delivered once, Lambda retries, the record carries the schedule\'s input', async () => {
    const execution = cloud.control.scheduler.fire('async-schedule');
    const letter = await cloud.deadLetters.waitFor((l) => l.destination === QUEUE && (l.body as { requestPayload?: { n?: string } }).requestPayload?.n === 'scheduled', 20_000, 'the failure record of the scheduled run');
    expect((letter.body as { requestPayload: unknown }).requestPayload).toEqual({ n: 'scheduled', id: execution.executionId });
    expect((letter.body as { requestContext: { approximateInvokeCount: number } }).requestContext.approximateInvokeCount).toBe(3);
    expect(execution).toMatchObject({ attempts: 1, status: 'delivered' });
  });
});
