import 'aws-sdk-client-mock-jest';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { handler } from '../../functions/build-image/handler';
import { EventShapeError } from '../../functions/middleware/parse-event';
import { ConfigRejectedDetailSchema, ImageBuiltDetailSchema } from '../../shared/events';
import { createRegistryRepository } from '../../shared/oci/registry/registry-repository';
import { validateImage } from '../../shared/oci';
import { packTarGz } from '../../local/pack';
import { writeStandInBase } from '../../local/stand-in-base';
import type { RegistryServer } from '../helpers/registry-server';
import { startRegistry } from '../helpers/registry-server';

const EXAMPLE = resolve(__dirname, '..', '..', 'examples', 'static');
const s3 = mockClient(S3Client);
const eb = mockClient(EventBridgeClient);
const context = { functionName: 'build-image', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

let registry: RegistryServer;
let work: string;
const savedEnv = { ...process.env };

function uploadEvent(key: string, versionId = 'v1', sequencer = '0055AED6DCD90281E5'): unknown {
  return {
    version: '0', id: 'evt-1', 'detail-type': 'Object Created', source: 'aws.s3', account: '123456789012', time: '2026-11-23T12:00:00Z',
    region: 'eu-west-1', resources: ['arn:aws:s3:::cfg-bucket'],
    detail: { version: '0', bucket: { name: 'cfg-bucket' }, object: { key, size: 1, etag: 'e', 'version-id': versionId, sequencer }, 'request-id': 'r', requester: '123456789012', reason: 'PutObject' },
  };
}

function serveArchive(path: string): void {
  s3.on(GetObjectCommand).callsFake(() => ({ Body: createReadStream(path), ContentLength: 1 }));
}

async function tags(repository: string): Promise<string[]> {
  const response = await fetch(`http://${registry.host}/v2/${repository}/tags/list`);
  if (response.status === 404) return [];
  return ((await response.json()) as { tags: string[] | null }).tags ?? [];
}

beforeAll(async () => {
  registry = await startRegistry();
  work = await mkdtemp(join(tmpdir(), 'build-image-'));
  const base = createRegistryRepository({ host: registry.host, repository: 'docker-hub/haufelexware/wicked.api', insecure: true });
  await writeStandInBase(base);
  Object.assign(process.env, {
    CONFIG_BUCKET: 'cfg-bucket',
    TARGET_REPOSITORY_URI: `${registry.host}/portal-api`,
    BASE_IMAGE: `${registry.host}/docker-hub/haufelexware/wicked.api:stand-in`,
    EVENT_BUS_NAME: 'default',
    REGISTRY_INSECURE: 'true',
    AWS_REGION: 'eu-west-1',
    POWERTOOLS_METRICS_NAMESPACE: 'test',
    POWERTOOLS_SERVICE_NAME: 'build-image',
  });
});

afterAll(async () => {
  process.env = savedEnv;
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

beforeEach(() => {
  eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

afterEach(() => {
  s3.reset();
  eb.reset();
});

describe('build-image handler', () => {
  it('builds a valid upload, pushes it and announces Portal Image Built', async () => {
    // Prepare
    const archive = join(work, 'good.tgz');
    await packTarGz(EXAMPLE, archive);
    serveArchive(archive);
    // Act
    const result = await handler(uploadEvent('config/dev/2026-11-23.tgz', 'v42'), context);
    // Assess
    expect(result.outcome).toBe('built');
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'cfg-bucket', Key: 'config/dev/2026-11-23.tgz', VersionId: 'v42' });
    expect(eb).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    const entry = eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({ Source: 'wicked.control-plane', DetailType: 'Portal Image Built', EventBusName: 'default' });
    const detail = ImageBuiltDetailSchema.parse(JSON.parse(entry.Detail!));
    expect(detail).toMatchObject({ env: 'dev', bucket: 'cfg-bucket', key: 'config/dev/2026-11-23.tgz', versionId: 'v42', sequencer: '0055AED6DCD90281E5' });
    expect(detail.imageUri).toBe(`${registry.host}/portal-api@${detail.digest}`);
    const target = createRegistryRepository({ host: registry.host, repository: 'portal-api', insecure: true });
    expect(await validateImage(target, detail.tag)).toEqual([]);
    expect((await target.fetchManifest(detail.tag))?.digest).toBe(detail.digest);
  });

  it('rejects an invalid configuration with every issue and pushes nothing', async () => {
    // Prepare: the example without env/default.json and with a broken globals.json
    const dir = join(work, 'bad', 'static');
    await cp(EXAMPLE, dir, { recursive: true });
    await rm(join(dir, 'env', 'default.json'));
    await writeFile(join(dir, 'globals.json'), '{ "version": 23,, }');
    const archive = join(work, 'bad.tgz');
    await packTarGz(dir, archive);
    serveArchive(archive);
    const before = await tags('portal-api');
    // Act
    const result = await handler(uploadEvent('config/prod/bad.tgz'), context);
    // Assess
    expect(result.outcome).toBe('rejected');
    const entry = eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry.DetailType).toBe('Portal Config Rejected');
    const detail = ConfigRejectedDetailSchema.parse(JSON.parse(entry.Detail!));
    expect(detail.reason).toBe('invalid-config');
    expect(detail.issues.map((issue) => issue.code)).toEqual(expect.arrayContaining(['JSON_SYNTAX', 'MISSING_FILE']));
    expect(await tags('portal-api')).toEqual(before);
  });

  it('refuses an archive that carries deploy.envkey, naming the rotation', async () => {
    const dir = join(work, 'leaky', 'static');
    await cp(EXAMPLE, dir, { recursive: true });
    await writeFile(join(dir, 'deploy.envkey'), 'not-a-real-key');
    const archive = join(work, 'leaky.tgz');
    await packTarGz(dir, archive);
    serveArchive(archive);
    const result = await handler(uploadEvent('config/dev/leaky.tgz'), context);
    expect(result.outcome).toBe('rejected');
    const detail = ConfigRejectedDetailSchema.parse(JSON.parse(eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!.Detail!));
    expect(detail).toMatchObject({ reason: 'invalid-archive', issueCount: 1 });
    expect(detail.issues[0]).toMatchObject({ code: 'ENVKEY_IN_ARCHIVE', file: 'static/deploy.envkey' });
    expect(detail.issues[0]!.message).toMatch(/rotate/i);
  });

  it('ignores keys outside config/<env>/ archives without reading them', async () => {
    const result = await handler(uploadEvent('config/dev/notes.txt'), context);
    expect(result).toEqual({ outcome: 'ignored', reason: 'key config/dev/notes.txt is not config/<env>/<name>.(tar.gz|tgz|tar|zip)' });
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 0);
    expect(eb).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });

  it('refuses an event of the wrong shape at the edge', async () => {
    await expect(handler({ source: 'aws.s3', 'detail-type': 'Object Created', detail: {} }, context)).rejects.toBeInstanceOf(EventShapeError);
    expect(eb).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });

  it('fails the invocation (for a retry) when S3 cannot be read, announcing nothing', async () => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('slow down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }));
    await expect(handler(uploadEvent('config/dev/x.tgz'), context)).rejects.toMatchObject({ code: 'SlowDown', retryable: true });
    expect(eb).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });
});
