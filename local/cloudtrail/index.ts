import { createServer } from 'node:http';
import { AwsServiceError, serveAwsJson } from '../kernel/aws-json';
import type { JsonOperation } from '../kernel/aws-json';
import { listenLocal } from '../kernel/listen';

// LookupEvents as its API reference defines the request (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html):
// MaxResults 1 to 50, at most one lookup attribute of the listed keys, a start time not after the end time, and a
// NextToken only as a previous answer handed it out.
const MAX_RESULTS = 50;
const ATTRIBUTE_KEYS = new Set(['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId']);

/** One LookupEvents request the emulator answered (what tests check). */
export interface TrailLookup {
  readonly startTime?: number;
  readonly endTime?: number;
  readonly attributes: readonly { AttributeKey?: string; AttributeValue?: string }[];
}

/** Options of {@link startCloudTrail}. */
export interface CloudTrailOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
}

/**
 * Starts CloudTrail's LookupEvents on 127.0.0.1 over awsJson1_1
 * (`X-Amz-Target: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents`).
 * The emulator keeps no trail: it records no management events, so every
 * valid lookup answers an empty page. The client that calls it is the CDK
 * CLI: after a failed deploy it looks up the account's recent events to
 * explain the failure, and without an endpoint it retried the DNS name of
 * AWS's CloudTrail for 20 s before printing the failure.
 *
 * @example
 * const trail = await startCloudTrail({}); // AWS_ENDPOINT_URL_CLOUDTRAIL=trail.url
 */
export async function startCloudTrail(options: CloudTrailOptions = {}): Promise<{ url: string; lookups(): readonly TrailLookup[]; stop(): Promise<void> }> {
  const lookups: TrailLookup[] = [];
  const operations: Record<string, JsonOperation> = {
    LookupEvents: (input) => {
      const maxResults = input.MaxResults;
      if (maxResults !== undefined && (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS)) {
        throw new AwsServiceError('InvalidMaxResultsException', `MaxResults ${JSON.stringify(maxResults)}: expected 1 to ${MAX_RESULTS}`);
      }
      const [startTime, endTime] = [input.StartTime, input.EndTime].map((t) => (t === undefined ? undefined : Number(t)));
      if ([startTime, endTime].some((t) => t !== undefined && !Number.isFinite(t))) throw new AwsServiceError('InvalidTimeRangeException', `StartTime/EndTime ${JSON.stringify([input.StartTime, input.EndTime])}: expected epoch seconds`);
      if (startTime !== undefined && endTime !== undefined && startTime > endTime) throw new AwsServiceError('InvalidTimeRangeException', 'StartTime is after EndTime');
      const attributes = (input.LookupAttributes ?? []) as TrailLookup['attributes'];
      if (!Array.isArray(attributes) || attributes.length > 1) throw new AwsServiceError('InvalidLookupAttributesException', 'LookupAttributes: expected at most one attribute');
      const unknown = attributes.find((a) => !ATTRIBUTE_KEYS.has(a.AttributeKey ?? ''));
      if (unknown) throw new AwsServiceError('InvalidLookupAttributesException', `AttributeKey ${JSON.stringify(unknown.AttributeKey)}: expected one of ${[...ATTRIBUTE_KEYS].join(', ')}`);
      if (input.NextToken !== undefined) throw new AwsServiceError('InvalidNextTokenException', 'NextToken: this trail handed out no token');
      lookups.push({ ...(startTime !== undefined ? { startTime } : {}), ...(endTime !== undefined ? { endTime } : {}), attributes });
      return { Events: [] };
    },
  };
  const server = createServer((req, res) => { void serveAwsJson(req, res, operations); });
  const listener = await listenLocal(server, options.port ?? 0);
  return { url: listener.url, lookups: () => lookups, stop: () => listener.stop() };
}
