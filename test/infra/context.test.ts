import * as fs from 'fs';
import * as path from 'path';
import { platformPropsFromContext } from '../../infra/context';
import { InvalidContextError } from '../../infra/errors';
import { resolveWickedPlatformProps } from '../../infra/props';

describe('platformPropsFromContext', () => {
  it('makes one props object per environment, the key being the envName', () => {
    expect(platformPropsFromContext({ dev: { buildImageRetentionCount: 5 }, prod: { envName: 'prod' } })).toEqual([
      { envName: 'dev', buildImageRetentionCount: 5 },
      { envName: 'prod' },
    ]);
  });

  it.each<[string, unknown, string]>([
    ['no context', undefined, 'cdk.json context "wicked": received undefined'],
    ['an empty object', {}, 'received {}, expected an object with one props object per environment'],
    ['a string (as -c wicked=... gives)', '{"dev":{}}', 'cdk.json context "wicked": received "{\\"dev\\":{}}"'],
    ['an array', [{ envName: 'dev' }], 'cdk.json context "wicked"'],
    ['an invalid env key', { Dev: {} }, 'cdk.json context "wicked.Dev": received "Dev", expected an environment name'],
    ['a non-object env', { dev: true }, 'cdk.json context "wicked.dev": received true, expected an object of WickedPlatform props'],
    ['a conflicting envName', { dev: { envName: 'prod' } }, 'cdk.json context "wicked.dev.envName": received "prod", expected "dev" (the key)'],
  ])('refuses %s', (_case, context, message) => {
    const act = (): unknown => platformPropsFromContext(context);
    expect(act).toThrow(InvalidContextError);
    expect(act).toThrow(message);
  });

  it('reads the dev and prod environments of cdk.json, whose props are valid', () => {
    const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '../../cdk.json'), 'utf8')) as { context: Record<string, unknown> };
    const environments = platformPropsFromContext(cdkJson.context.wicked);
    expect(environments.map((e) => e.envName)).toEqual(['dev', 'prod']);
    // The app gives the cache rule its own stack when the context names the credentials, and the environments none.
    expect(cdkJson.context['wicked-registry-cache']).toEqual({ dockerHubCredentialsSecretArn: expect.stringMatching(/:secret:ecr-pullthroughcache\//) });
    const [dev, prod] = environments.map((e) => resolveWickedPlatformProps({ createPullThroughCacheRule: false, ...e }));
    expect(dev?.removalPolicy).toBe('destroy');
    expect(prod?.removalPolicy).toBe('retain-on-update-or-delete');
    // dev may serve plain HTTP; prod has a certificate, so port 80 only redirects.
    expect([dev?.allowPlainHttp, dev?.certificateArn]).toEqual([true, undefined]);
    expect([prod?.allowPlainHttp, prod?.certificateArn]).toEqual([false, expect.stringMatching(/^arn:aws:acm:/)]);
  });
});
