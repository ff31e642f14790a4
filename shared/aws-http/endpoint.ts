/**
 * The AWS services the lean client speaks to, and where they are: the
 * standard regional endpoint of each, or the `AWS_ENDPOINT_URL_<SERVICE>` /
 * `AWS_ENDPOINT_URL` variables the AWS SDKs read (the local emulator sets
 * them). Pure functions of the region and the environment.
 */
import { AwsHttpError } from './errors';

/** How one service is reached, signed and addressed. */
export interface AwsServiceSpec {
  /** SigV4 signing name. */
  readonly signingName: string;
  /** Host label before the region: `https://<endpointPrefix>.<region>.<dnsSuffix>`. */
  readonly endpointPrefix: string;
  /** Suffix of the service's `AWS_ENDPOINT_URL_<SUFFIX>` variable, as the SDKs name it. */
  readonly endpointVariable: string;
  /** awsJson protocol: `X-Amz-Target` prefix and JSON version. Absent for S3 (REST-XML). */
  readonly json?: { readonly targetPrefix: string; readonly version: '1.0' | '1.1' };
}

/** The services the build-image function calls. */
export const AWS_SERVICES = {
  s3: { signingName: 's3', endpointPrefix: 's3', endpointVariable: 'S3' },
  ecr: { signingName: 'ecr', endpointPrefix: 'api.ecr', endpointVariable: 'ECR', json: { targetPrefix: 'AmazonEC2ContainerRegistry_V20150921', version: '1.1' } },
  events: { signingName: 'events', endpointPrefix: 'events', endpointVariable: 'EVENTBRIDGE', json: { targetPrefix: 'AWSEvents', version: '1.1' } },
  dynamodb: { signingName: 'dynamodb', endpointPrefix: 'dynamodb', endpointVariable: 'DYNAMODB', json: { targetPrefix: 'DynamoDB_20120810', version: '1.0' } },
} as const satisfies Record<string, AwsServiceSpec>;

/** A service of {@link AWS_SERVICES}. */
export type AwsServiceName = keyof typeof AWS_SERVICES;

/** Where requests go: the origin, and whether it is a custom endpoint (S3 then uses path-style addressing). */
export interface ResolvedEndpoint {
  readonly url: URL;
  readonly custom: boolean;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * DNS suffix of a region's partition: `amazonaws.com.cn` in China,
 * the ISO partitions' own, `amazonaws.com` everywhere else.
 *
 * @example
 * dnsSuffix('cn-north-1') // 'amazonaws.com.cn'
 */
export function dnsSuffix(region: string): string {
  if (region.startsWith('cn-')) return 'amazonaws.com.cn';
  if (region.startsWith('us-isob-')) return 'sc2s.sgov.gov';
  if (region.startsWith('us-iso-')) return 'c2s.ic.gov';
  return 'amazonaws.com';
}

/**
 * The region from `AWS_REGION` (set by Lambda) or `AWS_DEFAULT_REGION`.
 *
 * @throws {AwsHttpError} `MissingRegion` when neither is set, `InvalidRegion` when the value is not a region name.
 */
export function regionFrom(env: NodeJS.ProcessEnv): string {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) throw new AwsHttpError('MissingRegion', 'no AWS region: set AWS_REGION (Lambda sets it) or AWS_DEFAULT_REGION', { fault: 'client' });
  if (!REGION.test(region)) throw new AwsHttpError('InvalidRegion', `AWS_REGION "${region}" is not a region name such as eu-west-1`, { fault: 'client' });
  return region;
}

/**
 * The endpoint of a service: `AWS_ENDPOINT_URL_<SERVICE>`, else
 * `AWS_ENDPOINT_URL`, else `https://<prefix>.<region>.<dnsSuffix>`.
 *
 * @throws {AwsHttpError} `InvalidEndpoint` when a variable holds no http(s) URL.
 * @example
 * resolveEndpoint('ecr', 'eu-west-1', {}).url.href // 'https://api.ecr.eu-west-1.amazonaws.com/'
 */
export function resolveEndpoint(service: AwsServiceName, region: string, env: NodeJS.ProcessEnv): ResolvedEndpoint {
  const spec: AwsServiceSpec = AWS_SERVICES[service];
  const variable = `AWS_ENDPOINT_URL_${spec.endpointVariable}`;
  const named = env[variable] ? variable : env.AWS_ENDPOINT_URL ? 'AWS_ENDPOINT_URL' : undefined;
  if (named === undefined) return { url: new URL(`https://${spec.endpointPrefix}.${region}.${dnsSuffix(region)}/`), custom: false };
  const text = env[named]!;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AwsHttpError('InvalidEndpoint', `${named} "${text}" is not a URL`, { fault: 'client' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AwsHttpError('InvalidEndpoint', `${named} "${text}" is not an http(s) URL`, { fault: 'client' });
  return { url, custom: true };
}
