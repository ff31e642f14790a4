import { CreateTopicCommand, ListTopicsCommand, NotFoundException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { scaledClock } from '../../../local/kernel/clock';
import { startSns } from '../../../local/sns';
import { SnsNotifier } from '../../../shared/notify';
import { SIGNAL_TEST_LIMIT_MS, signalBudget } from '../../helpers/signals';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

describe('SNS emulator (awsQuery, as @aws-sdk/client-sns speaks it)', () => {
  let sns: Awaited<ReturnType<typeof startSns>>;
  let client: SNSClient;
  let topicArn: string;

  beforeAll(async () => {
    sns = await startSns({ clock: scaledClock(1) });
    client = new SNSClient({ ...local, endpoint: sns.url });
    topicArn = (await client.send(new CreateTopicCommand({ Name: 'wicked-dev-notifications' }))).TopicArn!;
  });
  afterAll(async () => {
    client.destroy();
    await sns.stop();
  });

  it('CreateTopic is idempotent and ListTopics lists the topic', async () => {
    expect(topicArn).toBe('arn:aws:sns:us-east-1:000000000000:wicked-dev-notifications');
    expect((await client.send(new CreateTopicCommand({ Name: 'wicked-dev-notifications' }))).TopicArn).toBe(topicArn);
    expect((await client.send(new ListTopicsCommand({}))).Topics).toEqual([{ TopicArn: topicArn }]);
  });

  it('Publish keeps subject, message and attributes and answers a message id', async () => {
    const { MessageId } = await client.send(new PublishCommand({
      TopicArn: topicArn, Subject: 'wicked dev: deployment d-1 stuck', Message: 'line 1\nline 2 <&>',
      MessageAttributes: { env: { DataType: 'String', StringValue: 'dev' }, attempt: { DataType: 'Number', StringValue: '3' } },
    }));
    expect(MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sns.control.messages(topicArn).at(-1)).toEqual(expect.objectContaining({
      messageId: MessageId, topicArn, subject: 'wicked dev: deployment d-1 stuck', message: 'line 1\nline 2 <&>', attributes: { env: 'dev', attempt: '3' },
    }));
  });

  it('the SnsNotifier adapter publishes through the real client', async () => {
    const budget = signalBudget();
    const waiting = sns.control.waitFor((m) => m.attributes.outcome === 'stuck', budget.left(), 'the stuck notification');
    await new SnsNotifier({ topicArn, client }).notify({ subject: 'wicked dev: ünïcode\nsubject', message: 'm', attributes: { env: 'dev', outcome: 'stuck' } });
    expect(await waiting).toMatchObject({ subject: 'wicked dev: ?n?code subject', attributes: { env: 'dev', outcome: 'stuck' } });
  }, SIGNAL_TEST_LIMIT_MS);

  it('a missing topic is NotFound (404), as SNS answers', async () => {
    const publishing = client.send(new PublishCommand({ TopicArn: `${topicArn}-missing`, Message: 'm' }));
    await expect(publishing).rejects.toBeInstanceOf(NotFoundException);
    await expect(client.send(new PublishCommand({ TopicArn: `${topicArn}-missing`, Message: 'm' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });

  it.each([
    ['an empty message', { Message: '' }, 'Message'],
    ['a subject of 100 characters', { Message: 'm', Subject: 'x'.repeat(100) }, 'Subject'],
    ['a subject with a line break', { Message: 'm', Subject: 'a\nb' }, 'Subject'],
    ['a non-ASCII subject', { Message: 'm', Subject: 'déploiement' }, 'Subject'],
    ['an attribute name with AWS. prefix', { Message: 'm', MessageAttributes: { 'AWS.x': { DataType: 'String', StringValue: 'v' } } }, 'MessageAttributes'],
    ['11 attributes', { Message: 'm', MessageAttributes: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }])) }, 'MessageAttributes'],
  ])('refuses %s with InvalidParameter naming the parameter', async (_case, input, parameter) => {
    const before = sns.control.messages().length;
    await expect(client.send(new PublishCommand({ TopicArn: topicArn, ...input }))).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining(`Invalid parameter: ${parameter}`) });
    expect(sns.control.messages()).toHaveLength(before);
  });
});
