import { startCloudTrail } from '../../../local/cloudtrail';

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
