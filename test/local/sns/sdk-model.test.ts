import * as snsSdk from '@aws-sdk/client-sns';
import { parseXML } from '@aws-sdk/xml-builder';
import { scaledClock } from '../../../local/kernel/clock';
import { LIST_TOPICS_PAGE, startSns } from '../../../local/sns';
import { SnsNotifier } from '../../../shared/notify';
import { capturingHandler } from '../../helpers/sdk-model';
import type { CapturedResponse } from '../../helpers/sdk-model';
import { queryAnswerProblems, queryModelDifferences } from '../../helpers/sdk-query-model';

// The SNS emulator's answers against @aws-sdk/client-sns's own model: the actions the platform calls (Publish, through
// the product's SnsNotifier) and the ones the emulator serves for the CDK's topics and the tests (CreateTopic,
// ListTopics, DeleteTopic), through the real client.

describe('the SNS emulator against the SDK\'s service model (awsQuery)', () => {
  const captured: CapturedResponse[] = [];
  let sns: Awaited<ReturnType<typeof startSns>>;
  let client: snsSdk.SNSClient;

  beforeAll(async () => {
    sns = await startSns({ clock: scaledClock(1) });
    client = new snsSdk.SNSClient({ endpoint: sns.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1, requestHandler: capturingHandler(captured) });
  });
  afterAll(async () => {
    client?.destroy();
    await sns?.stop();
  });

  const problems = (command: object): Promise<string[]> => queryAnswerProblems(client, captured, command);

  it('CreateTopic, ListTopics, Publish (the product\'s notifier included), DeleteTopic answer in the model\'s shapes', async () => {
    const found = [
      ...await problems(new snsSdk.CreateTopicCommand({ Name: 'wicked-dev-notifications' })),
      ...await problems(new snsSdk.ListTopicsCommand({})),
      ...await problems(new snsSdk.PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:wicked-dev-notifications', Subject: 's', Message: 'm <&>', MessageAttributes: { env: { DataType: 'String', StringValue: 'dev' } } })),
    ];
    const before = captured.length;
    await new SnsNotifier({ topicArn: 'arn:aws:sns:us-east-1:000000000000:wicked-dev-notifications', client }).notify({ subject: 'wicked dev: deployment d-1 failed', message: 'the circuit breaker rolled it back', attributes: { env: 'dev', outcome: 'failed' } });
    expect(captured.length).toBe(before + 1);
    found.push(...queryModelDifferences((snsSdk.Publish$[5] as () => unknown)(), 'Publish', parseXML(captured.at(-1)!.body) as Record<string, unknown>));
    found.push(...await problems(new snsSdk.DeleteTopicCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:wicked-dev-notifications' })));
    expect(found).toEqual([]);
  });

  it('ListTopics pages by 100 with a NextToken, as the API reference says, and the SDK paginator reads every page', async () => {
    const names = Array.from({ length: LIST_TOPICS_PAGE + 5 }, (_, i) => `page-${String(i).padStart(3, '0')}`);
    for (const name of names) sns.control.createTopic(name);
    const first = await client.send(new snsSdk.ListTopicsCommand({}));
    expect([first.Topics?.length, typeof first.NextToken]).toEqual([LIST_TOPICS_PAGE, 'string']);
    expect(await problems(new snsSdk.ListTopicsCommand({ NextToken: first.NextToken }))).toEqual([]);
    const all: string[] = [];
    for await (const page of snsSdk.paginateListTopics({ client }, {})) all.push(...(page.Topics ?? []).map((topic) => topic.TopicArn!));
    expect(all).toEqual(names.map((name) => `arn:aws:sns:us-east-1:000000000000:${name}`));
  });

  it.each<[string, () => object, new (...args: never[]) => Error, number]>([
    ['Publish to a topic that does not exist', () => new snsSdk.PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:absent', Message: 'm' }), snsSdk.NotFoundException, 404],
    ['Publish of an empty message', () => new snsSdk.PublishCommand({ TopicArn: sns.control.createTopic('errors'), Message: '' }), snsSdk.InvalidParameterException, 400],
    ['CreateTopic with a name SNS refuses', () => new snsSdk.CreateTopicCommand({ Name: 'no spaces' }), snsSdk.InvalidParameterException, 400],
  ])('%s: the error the model names, with its HTTP status', async (_name, command, type, status) => {
    const error = await client.send(command() as never).then(() => undefined, (caught: unknown) => caught as Error & { $metadata: { httpStatusCode?: number } });
    expect(error).toBeInstanceOf(type);
    expect(error?.$metadata.httpStatusCode).toBe(status);
  });
});
