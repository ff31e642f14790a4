import { dnsSuffix, regionFrom, resolveEndpoint } from '../../shared/aws-http/endpoint';

describe('resolveEndpoint', () => {
  it.each([
    ['s3', 'eu-west-1', 'https://s3.eu-west-1.amazonaws.com/'],
    ['ecr', 'eu-central-1', 'https://api.ecr.eu-central-1.amazonaws.com/'],
    ['events', 'cn-north-1', 'https://events.cn-north-1.amazonaws.com.cn/'],
    ['dynamodb', 'us-gov-west-1', 'https://dynamodb.us-gov-west-1.amazonaws.com/'],
  ] as const)('%s in %s is %s', (service, region, url) => {
    expect(resolveEndpoint(service, region, {})).toEqual({ url: new URL(url), custom: false });
  });

  it('takes the service’s own variable before the general one, as the AWS SDKs do', () => {
    const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_ENDPOINT_URL_EVENTBRIDGE: 'http://127.0.0.1:2' };
    expect(resolveEndpoint('events', 'eu-west-1', env).url.port).toBe('2');
    expect(resolveEndpoint('s3', 'eu-west-1', env)).toEqual({ url: new URL('http://127.0.0.1:1'), custom: true });
  });

  it('names a variable that holds no http(s) URL', () => {
    expect(() => resolveEndpoint('ecr', 'eu-west-1', { AWS_ENDPOINT_URL_ECR: 'not a url' })).toThrow('AWS_ENDPOINT_URL_ECR "not a url" is not a URL');
    expect(() => resolveEndpoint('ecr', 'eu-west-1', { AWS_ENDPOINT_URL: 'ftp://x' })).toThrow('AWS_ENDPOINT_URL "ftp://x" is not an http(s) URL');
  });
});

describe('regionFrom', () => {
  it('reads AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect(regionFrom({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-east-1' })).toBe('eu-west-1');
    expect(regionFrom({ AWS_DEFAULT_REGION: 'us-east-1' })).toBe('us-east-1');
  });

  it('names what is missing or malformed', () => {
    expect(() => regionFrom({})).toThrow('no AWS region: set AWS_REGION');
    expect(() => regionFrom({ AWS_REGION: 'europe' })).toThrow('AWS_REGION "europe" is not a region name');
  });

  it('knows the partitions’ DNS suffixes', () => {
    expect([dnsSuffix('eu-west-1'), dnsSuffix('cn-northwest-1'), dnsSuffix('us-iso-east-1'), dnsSuffix('us-isob-east-1')]).toEqual(['amazonaws.com', 'amazonaws.com.cn', 'c2s.ic.gov', 'sc2s.sgov.gov']);
  });
});
