import 'aws-sdk-client-mock-jest';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { createRegistryRepository, decodeEcrToken, ecrCredentials } from '../../../shared/oci/registry';
import { startRegistry } from '../../helpers/registry-server';
import { testBlob } from './tiny-image';
import { sdkEcrToken } from '../../../shared/oci/registry/ecr-sdk-token';
import { ecrToken } from '../../../shared/oci/registry/ecr-token';

const ecr = mockClient(ECRClient);
const token = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('ecrCredentials', () => {
  afterEach(() => {
    ecr.reset();
  });

  it('decodes the token and caches it until expiresAt minus the margin', async () => {
    // Prepare
    let now = Date.parse('2025-01-01T00:00:00Z');
    ecr.on(GetAuthorizationTokenCommand)
      .resolvesOnce({ authorizationData: [{ authorizationToken: token('AWS:first'), expiresAt: new Date(now + 12 * 3600_000) }] })
      .resolvesOnce({ authorizationData: [{ authorizationToken: token('AWS:second'), expiresAt: new Date(now + 24 * 3600_000) }] });
    const provider = ecrCredentials({ token: sdkEcrToken(new ECRClient({})), refreshMarginMs: 60_000, now: () => now });

    // Act / Assess
    expect(await provider.get()).toEqual({ username: 'AWS', password: 'first' });
    now += 12 * 3600_000 - 60_001;
    expect(await provider.get()).toEqual({ username: 'AWS', password: 'first' });
    expect(ecr).toHaveReceivedCommandTimes(GetAuthorizationTokenCommand, 1);
    now += 1;
    expect(await provider.get()).toEqual({ username: 'AWS', password: 'second' });
    expect(ecr).toHaveReceivedCommandTimes(GetAuthorizationTokenCommand, 2);
  });

  it('shares one request between concurrent callers and refetches after invalidate', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [{ authorizationToken: token('AWS:pw'), expiresAt: new Date(Date.now() + 3600_000) }] });
    const provider = ecrCredentials({ token: sdkEcrToken(new ECRClient({})) });

    const results = await Promise.all([provider.get(), provider.get(), provider.get()]);
    provider.invalidate?.();
    await provider.get();

    expect(results.map((credentials) => credentials.password)).toEqual(['pw', 'pw', 'pw']);
    expect(ecr).toHaveReceivedCommandTimes(GetAuthorizationTokenCommand, 2);
  });

  it.each([
    ['sdkEcrToken (loads the client on first use)', () => sdkEcrToken(new ECRClient({}))],
    ['ecrToken (the client given)', () => ecrToken(new ECRClient({}))],
  ])('asks for the given registry id, and for none without one: %s', async (_name, source) => {
    ecr.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [{ authorizationToken: token('AWS:pw'), expiresAt: new Date(Date.now() + 3600_000) }] });
    expect(await ecrCredentials({ token: source(), registryId: '123456789012' }).get()).toEqual({ username: 'AWS', password: 'pw' });
    await ecrCredentials({ token: source() }).get();
    expect(ecr).toHaveReceivedNthCommandWith(1, GetAuthorizationTokenCommand, { registryIds: ['123456789012'] });
    expect(ecr).toHaveReceivedNthCommandWith(2, GetAuthorizationTokenCommand, {});
  });

  it('does not cache a token without expiresAt', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [{ authorizationToken: token('AWS:pw') }] });
    const provider = ecrCredentials({ token: sdkEcrToken(new ECRClient({})) });
    await provider.get();
    await provider.get();
    expect(ecr).toHaveReceivedCommandTimes(GetAuthorizationTokenCommand, 2);
  });

  it('wraps API failures and malformed answers in ECR_TOKEN_FAILED', async () => {
    ecr.on(GetAuthorizationTokenCommand).rejectsOnce(new Error('AccessDeniedException: not allowed')).resolvesOnce({ authorizationData: [] });
    const provider = ecrCredentials({ token: sdkEcrToken(new ECRClient({})) });
    await expect(provider.get()).rejects.toMatchObject({ code: 'ECR_TOKEN_FAILED', message: expect.stringContaining('AccessDeniedException: not allowed') });
    await expect(provider.get()).rejects.toMatchObject({ code: 'ECR_TOKEN_FAILED', message: expect.stringContaining('no authorizationToken') });
  });

  it('authenticates a real registry push with the decoded token', async () => {
    const registry = await startRegistry({ auth: { username: 'AWS', password: 'ecr-password-123' } });
    try {
      ecr.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [{ authorizationToken: token('AWS:ecr-password-123'), expiresAt: new Date(Date.now() + 3600_000) }] });
      const repository = createRegistryRepository({ host: registry.host, repository: 'wicked/portal-api', insecure: true, credentials: ecrCredentials({ token: sdkEcrToken(new ECRClient({})) }) });
      const blob = testBlob(Buffer.from('pushed with an ECR token'));

      await repository.pushBlob(blob.digest, blob.size, blob.open);

      expect(await repository.statBlob(blob.digest)).toBe(blob.size);
      expect(ecr).toHaveReceivedCommandTimes(GetAuthorizationTokenCommand, 1);
    } finally {
      await registry.stop();
    }
  });
});

describe('decodeEcrToken', () => {
  it.each([
    [token('AWS:pass:with:colons'), { username: 'AWS', password: 'pass:with:colons' }],
    [token('user:p'), { username: 'user', password: 'p' }],
  ])('decodes %s', (value, expected) => {
    expect(decodeEcrToken(value)).toEqual(expected);
  });
  it.each([[undefined], [''], [token('no-colon')], [token(':password')], [token('AWS:')]])('refuses %j', (value) => {
    expect(() => decodeEcrToken(value)).toThrow(expect.objectContaining({ code: 'ECR_TOKEN_FAILED' }));
  });
});
