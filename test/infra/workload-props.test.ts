import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Stack } from 'aws-cdk-lib';
import { checkBackup } from '../../infra/backup-props';
import { InvalidPropError, UnknownPropError } from '../../infra/errors';
import { resolveWickedPlatformProps, type WickedPlatformProps } from '../../infra/props';
import { isFargateSize } from '../../infra/workload-props';
import { DOCKER_HUB_SECRET_ARN } from './helpers';

const resolve = (props: Record<string, unknown>): ReturnType<typeof resolveWickedPlatformProps> =>
  resolveWickedPlatformProps({ envName: 'dev', allowPlainHttp: props.certificateArn === undefined, dockerHubCredentialsSecretArn: DOCKER_HUB_SECRET_ARN, ...props } as unknown as WickedPlatformProps);

describe('workload props', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ['3 NAT gateways', { natGateways: 3 }, 'natGateways', 'received 3, expected 1 or 2'],
    ['an unknown singleton', { singletons: ['portal-api', 'portal-kong-adapter', 'portal-ui'] }, 'singletons', 'distinct names out of portal-api, portal'],
    ['singletons without portal-api', { singletons: ['portal', 'portal-kong-adapter'] }, 'singletons', 'includes "portal-api"'],
    ['singletons without the kong-adapter', { singletons: ['portal-api'] }, 'singletons', 'includes "portal-kong-adapter"'],
    ['a duplicate singleton', { singletons: ['portal-api', 'portal-api', 'portal-kong-adapter'] }, 'singletons', 'distinct names'],
    ['an image for portal-api', { wickedImages: { 'portal-api': 'a/b' } }, 'wickedImages.portal-api', 'a key out of portal, '],
    ['an image without namespace', { wickedImages: { portal: 'ui' } }, 'wickedImages.portal', 'received "ui", expected a Docker Hub repository'],
    ['a Kong image without tag', { kongImage: 'library/kong' }, 'kongImage', 'a Docker Hub image with a tag'],
    ['a certificate without domains', { certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100' }, 'domainNames', 'together (HTTPS), or neither'],
    ['domains without a certificate', { domainNames: ['api.example.com'] }, 'certificateArn', 'together (HTTPS), or neither'],
    ['an uppercase domain', { domainNames: ['API.example.com'] }, 'domainNames', 'lowercase host names'],
    ['a certificate from IAM', { domainNames: ['a.example.com'], certificateArn: 'arn:aws:iam::123456789012:server-certificate/x' }, 'certificateArn', 'an ACM certificate ARN'],
    ['a task size Fargate refuses', { taskSizes: { portal: { cpu: 256, memory: 4096 } } }, 'taskSizes.portal', 'cpu 256 (memory 512-2048)'],
    ['a task size for a component not run', { wickedVersion: '0.12.7', taskSizes: { 'portal-auth': { cpu: 256, memory: 512 } } }, 'taskSizes.portal-auth', 'a key out of portal-api'],
    ['no gateway group', { gatewayGroups: [] }, 'gatewayGroups', 'an array of 1 to 10 gateway groups'],
    ['a group without rule', { gatewayGroups: [{ name: 'a' }] }, 'gatewayGroups[0]', 'exactly one of pathPatterns or hostHeaders'],
    ['a group with both rules', { gatewayGroups: [{ name: 'a', pathPatterns: ['/a'], hostHeaders: ['a.example.com'] }] }, 'gatewayGroups[0]', 'exactly one of'],
    ['a group without name', { gatewayGroups: [{ pathPatterns: ['/a'] }] }, 'gatewayGroups[0].name', 'received undefined, expected a group name'],
    ['min above max', { gatewayGroups: [{ name: 'a', pathPatterns: ['/*'], minTasks: 5, maxTasks: 3 }] }, 'gatewayGroups[0].minTasks', 'received 5, expected at most maxTasks (3)'],
    ['six path patterns', { gatewayGroups: [{ name: 'a', pathPatterns: ['/1', '/2', '/3', '/4', '/5', '/6'] }] }, 'gatewayGroups[0].pathPatterns', '1 to 5 distinct path patterns'],
    ['a CPU target of 95', { gatewayGroups: [{ name: 'a', pathPatterns: ['/*'], cpuTargetPercent: 95 }] }, 'gatewayGroups[0].cpuTargetPercent', 'from 10 to 90'],
    ['a group size Fargate refuses', { gatewayGroups: [{ name: 'a', pathPatterns: ['/*'], cpu: 1024, memory: 1024 }] }, 'gatewayGroups[0].memory', 'a Fargate size'],
    ['two groups with one name', { gatewayGroups: [{ name: 'a', pathPatterns: ['/a'] }, { name: 'a', pathPatterns: ['/b'] }] }, 'gatewayGroups', '"a" appears twice'],
    ['an unknown Postgres mode', { postgres: 'aurora' }, 'postgres', '"none", "ephemeral" or "persistent"'],
    ['multi-AZ as a string', { postgresMultiAz: 'yes' }, 'postgresMultiAz', 'true or false'],
    ['a passwords revision with a space', { postgresPasswordsRevision: 'after leak' }, 'postgresPasswordsRevision', 'a revision of 1 to 64 characters'],
    ['a passwords revision as a number', { postgresPasswordsRevision: 2 }, 'postgresPasswordsRevision', 'a revision of 1 to 64 characters'],
    ['a VPC id instead of a VPC', { vpc: 'vpc-123' }, 'vpc', 'an ec2.IVpc (construct API only'],
    ['a rate schedule', { backup: { schedule: 'rate(12 hours)' } }, 'backup.schedule', 'AWS Backup plans take no rate expressions'],
    ['a schedule in crontab syntax', { backup: { schedule: '0 3 * * *' } }, 'backup.schedule', 'cron(0 3 * * ? *)'],
    ['a schedule at hour 25 (refused before any construct exists)', { backup: { schedule: 'cron(0 25 * * ? *)' } }, 'backup.schedule', 'hour values from 0 to 23 (received "25")'],
    ['a schedule with a minute name', { backup: { schedule: 'cron(half 3 * * ? *)' } }, 'backup.schedule', 'a minute field of numbers, ranges, lists or steps'],
    ['retention shorter than cold + 90', { backup: { deleteAfterDays: 100, moveToColdStorageAfterDays: 30 } }, 'backup.deleteAfterDays', 'at least moveToColdStorageAfterDays + 90 (120)'],
    ['a copy target that is not a vault', { backup: { copyToVaultArn: 'arn:aws:s3:::bucket' } }, 'backup.copyToVaultArn', 'a backup vault ARN'],
    ['a vault lock with min above max', { backup: { vaultLock: { minRetentionDays: 30, maxRetentionDays: 7 } } }, 'backup.vaultLock.minRetentionDays', 'at most maxRetentionDays (7)'],
    ['a retention outside the vault lock', { backup: { deleteAfterDays: 35, vaultLock: { minRetentionDays: 1, maxRetentionDays: 30 } } }, 'backup.deleteAfterDays', 'within the vault lock (1 to 30 days)'],
  ])('refuses %s', (_case, props, prop, fragment) => {
    const act = (): unknown => resolve(props);
    expect(act).toThrow(InvalidPropError);
    expect(act).toThrow(`WickedPlatform prop "${prop}"`);
    expect(act).toThrow(fragment);
  });

  it('refuses unknown keys in a vault lock', () => {
    expect(() => resolve({ backup: { vaultLock: { minRetentionDays: 1, maxRetentionDays: 40, mode: 'compliance' } } })).toThrow(UnknownPropError);
  });

  it('applies group defaults and keeps what is given', () => {
    const [group] = resolve({ gatewayGroups: [{ name: 'partners', hostHeaders: ['partners.example.com'], maxTasks: 20 }] }).gatewayGroups;
    expect(group).toEqual({
      name: 'partners', minTasks: 2, maxTasks: 20, cpuTargetPercent: 60, requestsPerTargetTarget: 1000, cpu: 512, memory: 1024,
      hostHeaders: ['partners.example.com'],
    });
  });

  it('takes a VPC object and the HTTPS pair', () => {
    const vpc = new ec2.Vpc(new Stack(), 'Vpc');
    const certificateArn = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100';
    const resolved = resolve({ vpc, domainNames: ['api.example.com'], certificateArn });
    expect(resolved.vpc).toBe(vpc);
    expect(resolved).toMatchObject({ domainNames: ['api.example.com'], certificateArn });
  });

  it('fills task sizes and images for the singletons asked for', () => {
    const resolved = resolve({ singletons: ['portal-api', 'portal-kong-adapter', 'portal-auth'], wickedImages: { 'portal-auth': 'me/auth' } });
    expect(Object.keys(resolved.taskSizes)).toEqual(['portal-api', 'portal-kong-adapter', 'portal-auth']);
    expect(resolved.wickedImages['portal-auth']).toBe('me/auth');
  });
});

describe('checkBackup', () => {
  it.each([
    [undefined, { schedule: 'cron(0 3 * * ? *)', deleteAfterDays: 35 }],
    [{ schedule: 'cron(0 */12 * * ? *)', deleteAfterDays: 120, moveToColdStorageAfterDays: 30 }, { schedule: 'cron(0 */12 * * ? *)', deleteAfterDays: 120, moveToColdStorageAfterDays: 30 }],
    [{ vaultLock: { minRetentionDays: 7, maxRetentionDays: 365 } }, { schedule: 'cron(0 3 * * ? *)', deleteAfterDays: 35, vaultLock: { minRetentionDays: 7, maxRetentionDays: 365 } }],
  ])('resolves %j', (given, expected) => {
    expect(checkBackup(given)).toEqual(expected);
  });
});

describe('isFargateSize', () => {
  it.each([
    [256, 512, true], [256, 2048, true], [256, 3072, false], [512, 1024, true], [512, 1536, false],
    [1024, 8192, true], [2048, 16384, true], [4096, 30720, true], [4096, 4096, false], [128, 512, false], ['256', 512, false],
  ])('cpu %p memory %p -> %p', (cpu, memory, ok) => {
    expect(isFargateSize(cpu, memory)).toBe(ok);
  });
});
