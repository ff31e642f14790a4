import 'aws-sdk-client-mock-jest';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { isEcrHost, openBuildEndpoints } from '../../shared/pipeline/image-endpoints';
import { sdkEcrToken } from '../../shared/oci/registry/ecr-sdk-token';

const ecr = mockClient(ECRClient);
afterEach(() => ecr.reset());

describe('isEcrHost', () => {
  it.each([
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', [], true],
    ['123456789012.dkr.ecr-fips.us-east-1.amazonaws.com', [], true],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', [], true],
    ['12345.dkr.ecr.eu-west-1.amazonaws.com', [], false],
    ['registry.example.com', [], false],
    ['127.0.0.1:4510', ['127.0.0.1:4510'], true],
    ['127.0.0.1:4511', ['127.0.0.1:4510'], false],
  ])('%s with %j -> %s', (host, ecrHosts, expected) => {
    expect(isEcrHost(host, { ecrHosts })).toBe(expected);
  });
});

describe('openBuildEndpoints', () => {
  const host = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

  it('mounts from a base in the same ECR registry', async () => {
    const endpoints = await openBuildEndpoints(`${host}/wicked/api:1.0.0`, `${host}/portal-api`, { ecrToken: sdkEcrToken(new ECRClient({})) });
    expect(endpoints.base).toMatchObject({ reference: '1.0.0', mountFrom: 'wicked/api' });
  });

  it('refuses to open an ECR registry without a way to fetch its token, naming the host', async () => {
    await expect(openBuildEndpoints(`${host}/wicked/api:1.0.0`, `${host}/portal-api`, {})).rejects.toMatchObject({
      code: 'ECR_TOKEN_SOURCE_MISSING',
      message: `opening ${host}/wicked/api:1.0.0: ${host} is an ECR registry, and no way to fetch its token was given (ecrToken)`,
    });
  });

  it('never mounts from the docker-hub pull-through cache: base layers are copied once', async () => {
    const endpoints = await openBuildEndpoints(`${host}/docker-hub/haufelexware/wicked.api:1.0.0`, `${host}/portal-api`, { ecrToken: sdkEcrToken(new ECRClient({})) });
    expect(endpoints.base.mountFrom).toBeUndefined();
  });

  it('takes ECR credentials from GetAuthorizationToken for an ECR host', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [{ authorizationToken: Buffer.from('AWS:secret').toString('base64'), expiresAt: new Date(Date.now() + 3_600_000) }] });
    const seen: string[] = [];
    const fetchSpy: typeof fetch = async (_input, init) => {
      seen.push(new Headers(init?.headers).get('authorization') ?? '');
      return new Response(null, { status: seen.length === 1 ? 401 : 404, headers: seen.length === 1 ? { 'www-authenticate': 'Basic realm="ecr"' } : {} });
    };
    const endpoints = await openBuildEndpoints(`${host}/wicked/api:1.0.0`, `${host}/portal-api`, { ecrToken: sdkEcrToken(new ECRClient({})), fetch: fetchSpy });
    await endpoints.target.statBlob(`sha256:${'0'.repeat(64)}`);
    expect(ecr).toHaveReceivedCommandTimes(GetAuthorizationTokenCommand, 1);
    expect(seen).toContain(`Basic ${Buffer.from('AWS:secret').toString('base64')}`);
  });

  it('checks the registry and asks ECR for a token once for base and target in the same registry', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [{ authorizationToken: Buffer.from('AWS:secret').toString('base64'), expiresAt: new Date(Date.now() + 3_600_000) }] });
    const paths: string[] = [];
    const fetchSpy: typeof fetch = async (input) => {
      const path = new URL(String(input)).pathname;
      paths.push(path);
      return new Response(null, { status: path === '/v2/' ? 401 : 404, headers: path === '/v2/' ? { 'www-authenticate': 'Basic realm="ecr"' } : {} });
    };
    const endpoints = await openBuildEndpoints(`${host}/wicked/api:1.0.0`, `${host}/portal-api`, { ecrToken: sdkEcrToken(new ECRClient({})), fetch: fetchSpy });
    const digest = `sha256:${'0'.repeat(64)}`;
    await endpoints.base.repository.statBlob(digest);
    await endpoints.target.statBlob(digest);
    expect(paths).toEqual(['/v2/', `/v2/wicked/api/blobs/${digest}`, `/v2/portal-api/blobs/${digest}`]);
    expect(ecr).toHaveReceivedCommandTimes(GetAuthorizationTokenCommand, 1);
  });

  it('keeps registries apart: another host gets its own version check', async () => {
    const paths: string[] = [];
    const fetchSpy: typeof fetch = async (input) => {
      const url = new URL(String(input));
      paths.push(`${url.host}${url.pathname}`);
      return new Response(null, { status: url.pathname === '/v2/' ? 200 : 404 });
    };
    const endpoints = await openBuildEndpoints('registry.example.com/wicked/api:1.0.0', 'other.example.com/portal-api', { fetch: fetchSpy });
    const digest = `sha256:${'0'.repeat(64)}`;
    await endpoints.base.repository.statBlob(digest);
    await endpoints.target.statBlob(digest);
    expect(paths.filter((path) => path.endsWith('/v2/'))).toEqual(['registry.example.com/v2/', 'other.example.com/v2/']);
  });
});
