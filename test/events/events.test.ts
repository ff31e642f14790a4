import { configUploadedPattern, envFromConfigKey, ImageBuiltDetailSchema, S3ObjectCreatedEventSchema } from '../../shared/events';

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
