import * as path from 'path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { envFromConfigKey } from '../../shared/events';
import { InvalidPropError, UnknownPropError } from '../../infra/errors';
import {
  DEFAULT_FUNCTION_ENTRIES, defaultRemovalPolicy, KNOWN_PROPS, resolveWickedPlatformProps, type WickedPlatformProps,
} from '../../infra/props';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/hub-AbCdEf';
const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100';
/** What every environment must give: the Docker Hub credentials and a decision on TLS. */
const REQUIRED = { dockerHubCredentialsSecretArn: ARN, allowPlainHttp: true } as const;

describe('resolveWickedPlatformProps', () => {
  it('applies the documented defaults', () => {
    const resolved = resolveWickedPlatformProps({ envName: 'prod', ...REQUIRED });
    expect(resolved).toEqual({
      envName: 'prod',
      wickedVersion: '1.0.0',
      baseImageRepository: 'haufelexware/wicked.api',
      buildImageRetentionCount: 30,
      configNoncurrentVersionDays: 90,
      // Retained, but deleted when a failed first create rolls back.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      createPullThroughCacheRule: true,
      ...REQUIRED,
      preDeploySnapshot: true,
      // wicked's NODE_ENV is the environment's name unless nodeEnv says otherwise.
      nodeEnv: 'prod',
      portalApiEnvironment: {},
      portalApiSecrets: {},
      strictValidation: false,
      functionEntries: Object.fromEntries([
        ['buildImage', 'build-image'], ['deployServices', 'deploy-services'], ['trackDeployment', 'track-deployment'],
        ['snapshotData', 'snapshot-data'], ['trackBackup', 'track-backup'],
      ].map(([key, folder]) => [key, path.resolve(__dirname, `../../functions/${folder!}/handler.ts`)])),
      natGateways: 1,
      // wicked 1.0: portal-auth serves every login, and the portal keeps its sessions in Redis.
      singletons: ['portal-api', 'portal', 'portal-mailer', 'portal-kong-adapter', 'portal-chatbot', 'portal-auth'],
      redisSessionStore: true,
      redisImage: 'library/redis:5-alpine',
      wickedImages: {
        portal: 'haufelexware/wicked.ui', 'portal-kong-adapter': 'haufelexware/wicked.kong-adapter', 'portal-mailer': 'haufelexware/wicked.mailer',
        'portal-chatbot': 'haufelexware/wicked.chatbot', 'portal-auth': 'haufelexware/wicked.auth',
      },
      kongImage: 'library/kong:0.14.1',
      taskSizes: {
        'portal-api': { cpu: 512, memory: 1024 }, portal: { cpu: 256, memory: 512 }, 'portal-mailer': { cpu: 256, memory: 512 },
        'portal-kong-adapter': { cpu: 256, memory: 512 }, 'portal-chatbot': { cpu: 256, memory: 512 }, 'portal-auth': { cpu: 256, memory: 512 },
      },
      gatewayGroups: [{ name: 'default', minTasks: 2, maxTasks: 6, cpuTargetPercent: 60, requestsPerTargetTarget: 1000, cpu: 512, memory: 1024, pathPatterns: ['/*'] }],
      postgres: 'persistent',
      postgresMultiAz: false,
      backup: { schedule: 'cron(0 3 * * ? *)', deleteAfterDays: 35 },
    });
    expect(resolveWickedPlatformProps({ envName: 'dev', ...REQUIRED }).postgres).toBe('ephemeral');
    expect(resolved).not.toHaveProperty('buildImageReservedConcurrency'); // no reservation: works on the default quota
  });

  it('derives the component set from the wicked version: 0.x has neither portal-auth nor Redis', () => {
    const old = resolveWickedPlatformProps({ envName: 'dev', wickedVersion: '0.12.7', ...REQUIRED });
    expect(old.singletons).toEqual(['portal-api', 'portal', 'portal-mailer', 'portal-kong-adapter', 'portal-chatbot']);
    expect(old.redisSessionStore).toBe(false);
    expect(resolveWickedPlatformProps({ envName: 'dev', wickedVersion: '1.0.0-rc.14', ...REQUIRED }).singletons).toContain('portal-auth');
  });

  it('refuses an internet-facing environment without a certificate unless plain HTTP is allowed explicitly', () => {
    const act = (): unknown => resolveWickedPlatformProps({ envName: 'prod', dockerHubCredentialsSecretArn: ARN });
    expect(act).toThrow(InvalidPropError);
    expect(act).toThrow('WickedPlatform prop "certificateArn"');
    expect(act).toThrow('or allowPlainHttp: true');
    const both = (): unknown => resolveWickedPlatformProps({ envName: 'prod', dockerHubCredentialsSecretArn: ARN, allowPlainHttp: true, domainNames: ['api.example.com'], certificateArn: CERT });
    expect(both).toThrow('WickedPlatform prop "allowPlainHttp"');
    expect(resolveWickedPlatformProps({ envName: 'prod', dockerHubCredentialsSecretArn: ARN, domainNames: ['api.example.com'], certificateArn: CERT }).allowPlainHttp).toBe(false);
  });

  it('needs the Docker Hub credentials by ARN when it owns the pull-through cache rule, and not otherwise', () => {
    const act = (): unknown => resolveWickedPlatformProps({ envName: 'dev', allowPlainHttp: true });
    expect(act).toThrow('WickedPlatform prop "dockerHubCredentialsSecretArn"');
    expect(act).toThrow('created before the first deploy');
    expect(resolveWickedPlatformProps({ envName: 'dev', allowPlainHttp: true, createPullThroughCacheRule: false }).createPullThroughCacheRule).toBe(false);
  });

  it('keeps given values over defaults and ignores undefined ones', () => {
    const resolved = resolveWickedPlatformProps({
      envName: 'dev', wickedVersion: '1.0.0-rc.3', buildImageRetentionCount: 5, removalPolicy: RemovalPolicy.RETAIN,
      notificationEmail: 'ops@example.com', dockerHubCredentialsSecretArn: ARN, configNoncurrentVersionDays: undefined, allowPlainHttp: true,
    });
    expect(resolved).toMatchObject({
      wickedVersion: '1.0.0-rc.3', buildImageRetentionCount: 5, removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      notificationEmail: 'ops@example.com', dockerHubCredentialsSecretArn: ARN, configNoncurrentVersionDays: 90,
    });
  });

  it('accepts a handler entry override and keeps the other defaults', () => {
    expect(resolveWickedPlatformProps({ envName: 'dev', ...REQUIRED, functionEntries: { buildImage: 'x/handler.ts' } }).functionEntries)
      .toEqual({ ...DEFAULT_FUNCTION_ENTRIES, buildImage: 'x/handler.ts' });
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['missing envName', {}, 'envName', 'received undefined, expected a lowercase name'],
    ['uppercase envName', { envName: 'Prod' }, 'envName', 'received "Prod"'],
    ['envName too long', { envName: `a${'b'.repeat(32)}` }, 'envName', '^[a-z][a-z0-9-]{0,31}$'],
    ['envName starting with a digit', { envName: '1dev' }, 'envName', 'received "1dev"'],
    ['version with a slash', { envName: 'dev', wickedVersion: '1.0/0' }, 'wickedVersion', 'expected an image tag'],
    ['repository without namespace', { envName: 'dev', baseImageRepository: 'postgres' }, 'baseImageRepository', 'official images need "library/"'],
    ['repository with uppercase', { envName: 'dev', baseImageRepository: 'Haufe/wicked' }, 'baseImageRepository', 'received "Haufe/wicked"'],
    ['retention 0', { envName: 'dev', buildImageRetentionCount: 0 }, 'buildImageRetentionCount', 'received 0, expected an integer from 1 to 1000'],
    ['retention fractional', { envName: 'dev', buildImageRetentionCount: 2.5 }, 'buildImageRetentionCount', 'received 2.5'],
    ['retention as string', { envName: 'dev', buildImageRetentionCount: '30' }, 'buildImageRetentionCount', 'received "30"'],
    ['noncurrent days too many', { envName: 'dev', configNoncurrentVersionDays: 4000 }, 'configNoncurrentVersionDays', 'from 1 to 3650'],
    ['bad e-mail', { envName: 'dev', notificationEmail: 'ops@' }, 'notificationEmail', 'expected an e-mail address'],
    ['a topic name instead of its ARN', { envName: 'dev', notificationTopicArn: 'ops' }, 'notificationTopicArn', 'expected an SNS topic ARN'],
    ['an e-mail for an imported topic', { envName: 'dev', notificationTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops', notificationEmail: 'ops@example.com' }, 'notificationEmail', 'subscribe to an imported topic where it is managed'],
    ['a topic key without the topic', { envName: 'dev', notificationTopicKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' }, 'notificationTopicKeyArn', 'only together with notificationTopicArn'],
    ['a key alias instead of a key ARN', { envName: 'dev', notificationTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops', notificationTopicKeyArn: 'alias/ops' }, 'notificationTopicKeyArn', 'expected a KMS key ARN'],
    ['snapshot removal', { envName: 'dev', removalPolicy: RemovalPolicy.SNAPSHOT }, 'removalPolicy', 'received "snapshot", expected "retain" or "destroy"'],
    ['secret outside the prefix', { envName: 'dev', dockerHubCredentialsSecretArn: ARN.replace('ecr-pullthroughcache/', 'hub/') }, 'dockerHubCredentialsSecretArn', 'ecr-pullthroughcache/'],
    ['cache flag as string', { envName: 'dev', createPullThroughCacheRule: 'false' }, 'createPullThroughCacheRule', 'expected true or false'],
    ['concurrency 0', { envName: 'dev', buildImageReservedConcurrency: 0 }, 'buildImageReservedConcurrency', 'from 1 to 1000'],
    ['entries not an object', { envName: 'dev', functionEntries: 'handler.ts' }, 'functionEntries', 'expected an object'],
    ['entry not a script', { envName: 'dev', functionEntries: { buildImage: 'handler.py' } }, 'functionEntries.buildImage', 'received "handler.py"'],
  ])('refuses %s', (_case, props, prop, fragment) => {
    const act = (): unknown => resolveWickedPlatformProps(props as unknown as WickedPlatformProps);
    expect(act).toThrow(InvalidPropError);
    expect(act).toThrow(fragment);
    expect(act).toThrow(`WickedPlatform prop "${prop}"`);
    try {
      act();
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_PROP', prop, retryable: false, name: 'InvalidPropError' });
    }
  });

  it.each<[Record<string, unknown>, string]>([
    [{ envName: 'dev', wickedVerison: '1.0.0' }, 'wickedVerison'],
    [{ envName: 'dev', vpcId: 'vpc-123' }, 'vpcId'],
    [{ envName: 'dev', backup: { retentionDays: 3 } }, 'backup.retentionDays'],
    [{ envName: 'dev', gatewayGroups: [{ name: 'a', pathPatterns: ['/*'], desiredCount: 3 }] }, 'gatewayGroups[0].desiredCount'],
    [{ envName: 'dev', functionEntries: { restoreData: 'a.ts' } }, 'functionEntries.restoreData'],
  ])('refuses the unknown key in %j', (props, prop) => {
    const act = (): unknown => resolveWickedPlatformProps(props as unknown as WickedPlatformProps);
    expect(act).toThrow(UnknownPropError);
    expect(act).toThrow(`WickedPlatform prop "${prop}" is unknown: expected one of`);
  });

  it('refuses props that are not an object', () => {
    expect(() => resolveWickedPlatformProps(null as unknown as WickedPlatformProps))
      .toThrow('WickedPlatform prop "props": received null, expected an object with at least envName');
  });

  it('lists every known prop in the unknown-key error', () => {
    const act = (): unknown => resolveWickedPlatformProps({ envName: 'dev', nope: 1 } as unknown as WickedPlatformProps);
    for (const key of KNOWN_PROPS) expect(act).toThrow(key);
  });

  it.each(['dev', 'prod', 'stage-2', 'a', `a${'b'.repeat(31)}`])('accepts envName %s, which the config key layout also accepts', (envName) => {
    expect(resolveWickedPlatformProps({ envName, ...REQUIRED }).envName).toBe(envName);
    expect(envFromConfigKey(`config/${envName}/archive.tgz`)).toBe(envName);
  });
});

describe('defaultRemovalPolicy', () => {
  it.each([
    ['dev', RemovalPolicy.DESTROY],
    ['test', RemovalPolicy.DESTROY],
    ['dev-alice', RemovalPolicy.DESTROY],
    ['test-2', RemovalPolicy.DESTROY],
    ['prod', RemovalPolicy.RETAIN],
    ['production', RemovalPolicy.RETAIN],
    ['staging', RemovalPolicy.RETAIN],
    ['devops', RemovalPolicy.RETAIN],
    ['testing', RemovalPolicy.RETAIN],
  ])('%s -> %s', (envName, policy) => {
    expect(defaultRemovalPolicy(envName)).toBe(policy);
  });
});
