import * as cloudtrail from '@aws-sdk/client-cloudtrail';
import { startCloudTrail } from '../../../local/cloudtrail';
import { capturingHandler, modelDifferences } from '../../helpers/sdk-model';
import type { CapturedResponse } from '../../helpers/sdk-model';

// LookupEvents over awsJson1_1, as the CDK CLI's failure investigation sends it after a failed deploy.
const TARGET = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';

describe('the local CloudTrail: LookupEvents on a trail that records nothing', () => {
  let trail: Awaited<ReturnType<typeof startCloudTrail>>;
  beforeAll(async () => { trail = await startCloudTrail(); });
  afterAll(async () => { await trail?.stop(); });

  const lookup = async (body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const response = await fetch(trail.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': TARGET }, body: JSON.stringify(body) });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  it('answers a valid lookup (the CLI\'s: a time range and 50 results) with an empty page, and records it', async () => {
    const before = trail.lookups().length;
    const answer = await lookup({ StartTime: 1_700_000_000, EndTime: 1_700_000_420, MaxResults: 50 });
    expect(answer).toEqual({ status: 200, json: { Events: [] } });
    expect(trail.lookups().slice(before)).toEqual([{ startTime: 1_700_000_000, endTime: 1_700_000_420, attributes: [] }]);
  });

  it.each([
    ['MaxResults above 50', { MaxResults: 51 }, 'InvalidMaxResultsException'],
    ['MaxResults 0', { MaxResults: 0 }, 'InvalidMaxResultsException'],
    ['a start after the end', { StartTime: 20, EndTime: 10 }, 'InvalidTimeRangeException'],
    ['two lookup attributes', { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'a' }, { AttributeKey: 'Username', AttributeValue: 'b' }] }, 'InvalidLookupAttributesException'],
    ['an attribute key CloudTrail does not know', { LookupAttributes: [{ AttributeKey: 'Colour', AttributeValue: 'red' }] }, 'InvalidLookupAttributesException'],
    ['a NextToken it never handed out', { NextToken: 'abc' }, 'InvalidNextTokenException'],
  ])('%s: 400 %s, nothing recorded', async (_name, body, type) => {
    const before = trail.lookups().length;
    const answer = await lookup(body);
    expect([answer.status, answer.json.__type]).toEqual([400, type]);
    expect(trail.lookups().length).toBe(before);
  });
});

describe('the local CloudTrail against @aws-sdk/client-cloudtrail\'s own model (awsJson1_1), through the real client', () => {
  const captured: CapturedResponse[] = [];
  let trail: Awaited<ReturnType<typeof startCloudTrail>>;
  let client: cloudtrail.CloudTrailClient;
  beforeAll(async () => {
    trail = await startCloudTrail();
    client = new cloudtrail.CloudTrailClient({ endpoint: trail.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1, requestHandler: capturingHandler(captured) });
  });
  afterAll(async () => {
    client?.destroy();
    await trail?.stop();
  });

  it('answers LookupEvents in the model\'s shape, deserialized as an empty page', async () => {
    const command = new cloudtrail.LookupEventsCommand({ StartTime: new Date(1_700_000_000_000), EndTime: new Date(1_700_000_420_000), MaxResults: 50, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateChangeSet' }] });
    const output = await client.send(command);
    const answer = captured[captured.length - 1]!;
    const operation = (command as unknown as { schema: unknown[] }).schema;
    expect(modelDifferences((operation[5] as () => unknown)(), JSON.parse(answer.body ?? '{}'), 'awsJson')).toEqual([]);
    expect(output.Events).toEqual([]);
    expect(trail.lookups()[trail.lookups().length - 1]).toEqual({ startTime: 1_700_000_000, endTime: 1_700_000_420, attributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateChangeSet' }] });
  });

  it.each<[string, cloudtrail.LookupEventsCommandInput, new (...args: never[]) => Error]>([
    ['MaxResults above 50', { MaxResults: 51 }, cloudtrail.InvalidMaxResultsException],
    ['a start after the end', { StartTime: new Date(20_000), EndTime: new Date(10_000) }, cloudtrail.InvalidTimeRangeException],
    ['an attribute key CloudTrail does not know', { LookupAttributes: [{ AttributeKey: 'Colour' as cloudtrail.LookupAttributeKey, AttributeValue: 'red' }] }, cloudtrail.InvalidLookupAttributesException],
    ['a NextToken it never handed out', { NextToken: 'abc' }, cloudtrail.InvalidNextTokenException],
  ])('%s: the modeled exception, as the client raises it', async (_name, input, modeled) => {
    const error = await client.send(new cloudtrail.LookupEventsCommand(input)).then(() => undefined, (caught: unknown) => caught as cloudtrail.CloudTrailServiceException);
    expect(error).toBeInstanceOf(modeled);
    expect([error?.$fault, error?.$metadata.httpStatusCode]).toEqual(['client', 400]);
  });
});
