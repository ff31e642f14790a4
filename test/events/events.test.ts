import { configUploadedPattern, envFromConfigKey, ImageBuiltDetailSchema, S3ObjectCreatedEventSchema, uploadRequestedAt } from '../../shared/events';
import { requestFromImageBuilt } from '../../shared/ledger';
import { matchesPattern } from '../../local/bus/pattern';
import { BASE_IMAGE_CHANGED_RULE, IMAGE_BUILT_RULE, SERVICE_RESTART_REQUESTED_RULE, STUCK_CHECK_DUE_RULE } from '../../shared/events/rules';

describe('envFromConfigKey', () => {
  it.each([
    ['config/prod/2026-11-23.tgz', 'prod'],
    ['config/dev/x.tar.gz', 'dev'],
    ['config/dev/nested/x.zip', 'dev'],
    ['config/stage-2/a.tar', 'stage-2'],
    ['config/Prod/a.tgz', undefined],
    ['config/prod/a.txt', undefined],
    ['config/prod/', undefined],
    ['other/prod/a.tgz', undefined],
    ['config//a.tgz', undefined],
  ])('%s -> %s', (key, env) => {
    expect(envFromConfigKey(key)).toBe(env);
  });
});

describe('event schemas', () => {
  it('accepts an S3 Object Created event as EventBridge delivers it', () => {
    const event = {
      version: '0', id: 'x', source: 'aws.s3', 'detail-type': 'Object Created', account: '1', region: 'eu-west-1',
      time: '2026-11-23T00:00:00Z', resources: [],
      detail: { version: '0', bucket: { name: 'cfg-bucket' }, object: { key: 'config/dev/a.tgz', size: 10, etag: 'e', 'version-id': 'v1', sequencer: '00A1' }, 'request-id': 'r', requester: '1', reason: 'PutObject' },
    };
    expect(S3ObjectCreatedEventSchema.parse(event).detail.object['version-id']).toBe('v1');
  });

  it('refuses an image-built detail with a malformed digest', () => {
    const result = ImageBuiltDetailSchema.safeParse({ env: 'dev', bucket: 'bkt', key: 'config/dev/a.tgz', configHash: 'h', imageUri: 'r/p@sha256:1', digest: 'sha256:1', tag: 'cfg-1' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['digest']);
  });

  it('matches config uploads by bucket and prefix', () => {
    expect(configUploadedPattern('b')).toEqual({
      source: ['aws.s3'], 'detail-type': ['Object Created'],
      detail: { bucket: { name: ['b'] }, object: { key: [{ prefix: 'config/' }] } },
    });
  });
});

describe('environment-addressed rules', () => {
  const prod = { configBucket: 'wicked-prod-config', cluster: 'wicked-prod', env: 'prod' };
  const event = (detailType: string, detail: Record<string, unknown>): Record<string, unknown> => ({ source: 'wicked.control-plane', 'detail-type': detailType, detail });
  it.each([
    ['a promotion into prod names the dev bucket: prod deploys it', IMAGE_BUILT_RULE, prod, event('Portal Image Built', { env: 'prod', bucket: 'wicked-dev-config' }), true],
    ['a dev build never reaches prod', IMAGE_BUILT_RULE, prod, event('Portal Image Built', { env: 'dev', bucket: 'wicked-dev-config' }), false],
    ['without an environment name, by config bucket as before', IMAGE_BUILT_RULE, { configBucket: 'b', cluster: 'c' }, event('Portal Image Built', { env: 'dev', bucket: 'b' }), true],
    ['a base change of prod', BASE_IMAGE_CHANGED_RULE, prod, event('Portal Base Image Changed', { env: 'prod', baseImage: 'h/r:1' }), true],
    ['a base change of dev is not prod\'s', BASE_IMAGE_CHANGED_RULE, prod, event('Portal Base Image Changed', { env: 'dev', baseImage: 'h/r:1' }), false],
    ['a restart of prod', SERVICE_RESTART_REQUESTED_RULE, prod, event('Portal Service Restart Requested', { env: 'prod', service: 's' }), true],
    ['a restart of dev is not prod\'s', SERVICE_RESTART_REQUESTED_RULE, prod, event('Portal Service Restart Requested', { env: 'dev', service: 's' }), false],
    ['a stuck check of dev is not prod\'s', STUCK_CHECK_DUE_RULE, prod, event('Portal Stuck Check Due', { env: 'dev', deploymentId: 'd' }), false],
  ] as const)('%s', (_name, rule, names, candidate, expected) => {
    expect(matchesPattern(rule.pattern(names), candidate)).toBe(expected);
  });
});

describe('uploadRequestedAt', () => {
  it.each<[string, string | undefined, Record<string, string> | undefined, string | undefined]>([
    ['the uploader\'s millisecond within the event\'s second', '2026-12-07T10:00:05Z', { 'uploaded-at': '2026-12-07T10:00:05.250Z' }, '2026-12-07T10:00:05.250Z'],
    ['the event\'s second when the uploader\'s clock says the second before', '2026-12-07T10:00:05Z', { 'uploaded-at': '2026-12-07T10:00:04.990Z' }, '2026-12-07T10:00:05.000Z'],
    ['the event\'s second when the uploader\'s clock is ahead', '2026-12-07T10:00:05Z', { 'uploaded-at': '2026-12-07T10:00:09.000Z' }, '2026-12-07T10:00:05.000Z'],
    ['the event\'s second without the metadata (an upload by hand)', '2026-12-07T10:00:05Z', undefined, '2026-12-07T10:00:05.000Z'],
    ['the event\'s second when the metadata is no UTC timestamp', '2026-12-07T10:00:05Z', { 'uploaded-at': '2026-12-07 10:00:05.250' }, '2026-12-07T10:00:05.000Z'],
    ['the event\'s second when the metadata is a bare date', '2026-12-07T10:00:05Z', { 'uploaded-at': '2026-12-07' }, '2026-12-07T10:00:05.000Z'],
    ['nothing without an event time', undefined, { 'uploaded-at': '2026-12-07T10:00:05.250Z' }, undefined],
    ['nothing with an unparseable event time', 'yesterday', { 'uploaded-at': '2026-12-07T10:00:05.250Z' }, undefined],
  ])('%s', (_name, time, metadata, expected) => {
    expect(uploadRequestedAt(time, metadata)).toBe(expected);
  });
});

describe('requestFromImageBuilt', () => {
  const detail = { env: 'dev', bucket: 'cfg', key: 'config/dev/a.tgz', configHash: 'h', imageUri: 'u', digest: `sha256:${'a'.repeat(64)}`, tag: 't' };
  it('takes requestedAt from the detail, else from the event time (a rollback or promotion), else none', () => {
    expect(requestFromImageBuilt({ ...detail, requestedAt: '2026-12-07T10:00:05.250Z' }, 0, '2026-12-07T10:00:09Z').requestedAt).toBe('2026-12-07T10:00:05.250Z');
    expect(requestFromImageBuilt(detail, 0, '2026-12-07T10:00:09Z').requestedAt).toBe('2026-12-07T10:00:09.000Z');
    expect(requestFromImageBuilt(detail, 0).requestedAt).toBeUndefined();
    expect(requestFromImageBuilt(detail, 0, 'not a time').requestedAt).toBeUndefined();
    // A rebuild is ordered by the deployment it rebuilds: its event's time is not a request time.
    expect(requestFromImageBuilt({ ...detail, rebuildOf: 'd-1' }, 0, '2026-12-07T10:00:09Z').requestedAt).toBeUndefined();
  });
});
