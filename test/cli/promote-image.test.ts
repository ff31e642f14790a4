import { registryHost } from '../../cli/commands/promote-image';
import { parseEcrHost } from '../../shared/oci/registry/ecr-host';

const ACCOUNT_HOST = '000000000000.dkr.ecr.us-east-1.amazonaws.com';

describe('registryHost: where promote reaches the image\'s registry', () => {
  it.each<[string, string, NodeJS.ProcessEnv, string]>([
    // The local emulator: a loopback ECR endpoint stands for the account's ECR host (as the local Lambdas' HTTPS redirect does).
    ['the account\'s ECR host, loopback ECR endpoint', ACCOUNT_HOST, { AWS_ENDPOINT_URL_ECR: 'http://127.0.0.1:4510' }, '127.0.0.1:4510'],
    ['localhost as the endpoint', ACCOUNT_HOST, { AWS_ENDPOINT_URL_ECR: 'http://localhost:4510' }, 'localhost:4510'],
    ['IPv6 loopback as the endpoint', ACCOUNT_HOST, { AWS_ENDPOINT_URL_ECR: 'http://[::1]:4510/' }, '[::1]:4510'],
    ['the general endpoint variable when ECR has none', ACCOUNT_HOST, { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }, '127.0.0.1:4566'],
    ['the ECR variable before the general one', ACCOUNT_HOST, { AWS_ENDPOINT_URL_ECR: 'http://127.0.0.1:4510', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }, '127.0.0.1:4510'],
    ['a FIPS ECR host', '123456789012.dkr.ecr-fips.us-east-1.amazonaws.com', { AWS_ENDPOINT_URL_ECR: 'http://127.0.0.1:4510' }, '127.0.0.1:4510'],
    ['a China-partition ECR host', '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', { AWS_ENDPOINT_URL_ECR: 'http://127.0.0.1:4510' }, '127.0.0.1:4510'],
    // On AWS nothing changes.
    ['no endpoint at all', ACCOUNT_HOST, {}, ACCOUNT_HOST],
    ['the regional ECR API endpoint', ACCOUNT_HOST, { AWS_ENDPOINT_URL_ECR: 'https://api.ecr.us-east-1.amazonaws.com' }, ACCOUNT_HOST],
    ['a VPC interface endpoint', ACCOUNT_HOST, { AWS_ENDPOINT_URL_ECR: 'https://vpce-0a1b2c3d4e5f6a7b8-abcdefgh.api.ecr.us-east-1.vpce.amazonaws.com' }, ACCOUNT_HOST],
    ['a loopback endpoint of the general variable behind a real ECR one', ACCOUNT_HOST, { AWS_ENDPOINT_URL_ECR: 'https://api.ecr.us-east-1.amazonaws.com', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }, ACCOUNT_HOST],
    // A registry that is not ECR is never redirected.
    ['a registry that is not ECR', 'registry.example.com', { AWS_ENDPOINT_URL_ECR: 'http://127.0.0.1:4510' }, 'registry.example.com'],
    ['the loopback registry itself', '127.0.0.1:4510', { AWS_ENDPOINT_URL_ECR: 'http://127.0.0.1:4510' }, '127.0.0.1:4510'],
    ['an account id that is not 12 digits', '12345.dkr.ecr.us-east-1.amazonaws.com', { AWS_ENDPOINT_URL_ECR: 'http://127.0.0.1:4510' }, '12345.dkr.ecr.us-east-1.amazonaws.com'],
  ])('%s', (_name, imageHost, env, expected) => {
    expect(registryHost(imageHost, env)).toBe(expected);
  });
});

describe('parseEcrHost (the one ECR host pattern of the project: promote, the build endpoints, the local image resolver)', () => {
  it.each<[string, ReturnType<typeof parseEcrHost>]>([
    [ACCOUNT_HOST, { account: '000000000000', region: 'us-east-1' }],
    ['123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com', { account: '123456789012', region: 'us-gov-west-1' }],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', { account: '123456789012', region: 'cn-north-1' }],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example', undefined],
    ['public.ecr.aws', undefined],
    ['127.0.0.1:4510', undefined],
  ])('%s', (host, expected) => {
    expect(parseEcrHost(host)).toEqual(expected);
  });
});
