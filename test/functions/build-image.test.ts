import type { Context } from 'aws-lambda';
import { mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { handler } from '../../functions/build-image/handler';
import { EventShapeError } from '../../functions/middleware/parse-event';
import { ConfigRejectedDetailSchema, ImageBuiltDetailSchema } from '../../shared/events';
import { createRegistryRepository } from '../../shared/oci/registry/registry-repository';
import { validateImage } from '../../shared/oci';
import { packTarGz } from '../../local/pack';
import { writeStandInBase } from '../../local/stand-in-base';
import type { AwsWire } from '../helpers/aws-wire';
import { startAwsWire, WIRE_CREDENTIALS } from '../helpers/aws-wire';
import type { RegistryServer } from '../helpers/registry-server';
import { startRegistry } from '../helpers/registry-server';

const EXAMPLE = resolve(__dirname, '..', '..', 'examples', 'static');
const context = { functionName: 'build-image', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

let registry: RegistryServer;
let wire: AwsWire;
let work: string;
const savedEnv = { ...process.env };

function uploadEvent(key: string, versionId = 'v1', sequencer = '0055AED6DCD90281E5'): unknown {
  return {
    version: '0', id: 'evt-1', 'detail-type': 'Object Created', source: 'aws.s3', account: '123456789012', time: '2026-11-23T12:00:00Z',
    region: 'eu-west-1', resources: ['arn:aws:s3:::cfg-bucket'],
    detail: { version: '0', bucket: { name: 'cfg-bucket' }, object: { key, size: 1, etag: 'e', 'version-id': versionId, sequencer }, 'request-id': 'r', requester: '123456789012', reason: 'PutObject' },
  };
}

/** S3 (on the signature-checking wire) serves the archive as that key and version. */
function serveArchive(path: string, key: string, versionId = 'v1'): void {
  wire.objects.set(`cfg-bucket/${key}?versionId=${versionId}`, { file: path });
}

/** The PutEvents entries build-image sent, in order. */
function entries(): { Source: string; DetailType: string; EventBusName: string; Detail: string }[] {
  return wire.requests.filter((r) => r.operation === 'PutEvents').flatMap((r) => (JSON.parse(r.body) as { Entries: ReturnType<typeof entries> }).Entries);
}

function calls(operation: string): number {
  return wire.requests.filter((r) => r.operation === operation).length;
}

async function tags(repository: string): Promise<string[]> {
  const response = await fetch(`http://${registry.host}/v2/${repository}/tags/list`);
  if (response.status === 404) return [];
  return ((await response.json()) as { tags: string[] | null }).tags ?? [];
}

beforeAll(async () => {
  registry = await startRegistry();
  wire = await startAwsWire();
  wire.json.set('PutEvents', () => ({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] }));
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
    AWS_ENDPOINT_URL_S3: wire.url,
    AWS_ENDPOINT_URL_EVENTBRIDGE: wire.url,
    AWS_ACCESS_KEY_ID: WIRE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: WIRE_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: WIRE_CREDENTIALS.sessionToken,
    POWERTOOLS_METRICS_NAMESPACE: 'test',
    POWERTOOLS_SERVICE_NAME: 'build-image',
  });
});

afterAll(async () => {
  process.env = savedEnv;
  await registry?.stop();
  await wire?.stop();
  await rm(work, { recursive: true, force: true });
});

afterEach(() => {
  // Every request build-image sent carried a signature that verifies.
  expect(wire.requests.filter((r) => r.signatureProblem !== undefined)).toEqual([]);
  wire.requests.length = 0;
  wire.objects.clear();
});

describe('build-image handler', () => {
  it('builds a valid upload, pushes it and announces Portal Image Built', async () => {
    // Prepare
    const archive = join(work, 'good.tgz');
    await packTarGz(EXAMPLE, archive);
    serveArchive(archive, 'config/dev/2026-11-23.tgz', 'v42');
    // Act
    const result = await handler(uploadEvent('config/dev/2026-11-23.tgz', 'v42'), context);
    // Assess
    expect(result.outcome).toBe('built');
    // The SDK names the operation in the query too (x-id); the object and its version are what matter.
    const reads = wire.requests.filter((r) => r.operation === 'GetObject').map((r) => new URL(r.url, 'http://wire'));
    expect(reads.map((u) => [u.pathname, u.searchParams.get('versionId')])).toEqual([['/cfg-bucket/config/dev/2026-11-23.tgz', 'v42']]);
    expect(calls('PutEvents')).toBe(1);
    const entry = entries()[0]!;
    expect(entry).toMatchObject({ Source: 'wicked.control-plane', DetailType: 'Portal Image Built', EventBusName: 'default' });
    const detail = ImageBuiltDetailSchema.parse(JSON.parse(entry.Detail!));
    // Asked for when S3 says (the event's time): an upload without the CLI's uploaded-at metadata has its second.
    expect(detail).toMatchObject({ env: 'dev', bucket: 'cfg-bucket', key: 'config/dev/2026-11-23.tgz', versionId: 'v42', sequencer: '0055AED6DCD90281E5', requestedAt: '2026-11-23T12:00:00.000Z' });
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
    serveArchive(archive, 'config/prod/bad.tgz');
    const before = await tags('portal-api');
    // Act
    const result = await handler(uploadEvent('config/prod/bad.tgz'), context);
    // Assess
    expect(result.outcome).toBe('rejected');
    const entry = entries()[0]!;
    expect(entry.DetailType).toBe('Portal Config Rejected');
    const detail = ConfigRejectedDetailSchema.parse(JSON.parse(entry.Detail!));
    expect(detail.reason).toBe('invalid-config');
    expect(detail.issues.map((issue) => issue.code)).toEqual(expect.arrayContaining(['JSON_SYNTAX', 'MISSING_FILE']));
    expect(await tags('portal-api')).toEqual(before);
  });

  it('builds a configuration with warnings and carries them on Portal Image Built', async () => {
    // Prepare: an API naming a group nobody defines only fails that API's access checks (a warning).
    const dir = join(work, 'warned', 'static');
    await cp(EXAMPLE, dir, { recursive: true });
    const apis = JSON.parse(await readFile(join(dir, 'apis', 'apis.json'), 'utf8')) as { apis: Array<Record<string, unknown>> };
    apis.apis[0]!.requiredGroup = 'nobody';
    await writeFile(join(dir, 'apis', 'apis.json'), JSON.stringify(apis));
    const archive = join(work, 'warned.tgz');
    await packTarGz(dir, archive);
    serveArchive(archive, 'config/dev/warned.tgz');
    // Act
    const result = await handler(uploadEvent('config/dev/warned.tgz'), context);
    // Assess
    expect(result.outcome).toBe('built');
    const detail = ImageBuiltDetailSchema.parse(JSON.parse(entries()[0]!.Detail));
    expect(detail.warningCount).toBe(1);
    expect(detail.warnings).toEqual([expect.objectContaining({ file: 'apis/apis.json', jsonPath: '$.apis[0].requiredGroup', code: 'UNKNOWN_GROUP', severity: 'warning' })]);
  });

  it('validates only the wicked environment the platform environment runs, and names the nodeEnv prop when its file is missing', async () => {
    const archive = join(work, 'qa.tgz');
    await packTarGz(EXAMPLE, archive);
    serveArchive(archive, 'config/qa/1.tgz');
    const result = await handler(uploadEvent('config/qa/1.tgz'), context);
    expect(result.outcome).toBe('rejected');
    const detail = ConfigRejectedDetailSchema.parse(JSON.parse(entries()[0]!.Detail));
    expect(detail.issues).toEqual([expect.objectContaining({ file: 'env/qa.json', env: 'qa', code: 'MISSING_FILE', severity: 'error', message: expect.stringContaining('the nodeEnv prop of platform environment "qa" is "qa"') })]);
  });

  it('refuses an archive that carries deploy.envkey, naming the rotation', async () => {
    const dir = join(work, 'leaky', 'static');
    await cp(EXAMPLE, dir, { recursive: true });
    await writeFile(join(dir, 'deploy.envkey'), 'not-a-real-key');
    const archive = join(work, 'leaky.tgz');
    await packTarGz(dir, archive);
    serveArchive(archive, 'config/dev/leaky.tgz');
    const result = await handler(uploadEvent('config/dev/leaky.tgz'), context);
    expect(result.outcome).toBe('rejected');
    const detail = ConfigRejectedDetailSchema.parse(JSON.parse(entries()[0]!.Detail));
    expect(detail).toMatchObject({ reason: 'invalid-archive', issueCount: 1 });
    expect(detail.issues[0]).toMatchObject({ code: 'ENVKEY_IN_ARCHIVE', file: 'static/deploy.envkey' });
    expect(detail.issues[0]!.message).toMatch(/rotate/i);
  });

  it('ignores keys outside config/<env>/ archives without reading them', async () => {
    const result = await handler(uploadEvent('config/dev/notes.txt'), context);
    expect(result).toEqual({ outcome: 'ignored', reason: 'key config/dev/notes.txt is not config/<env>/<name>.(tar.gz|tgz|tar|zip)' });
    expect(calls('GetObject')).toBe(0);
    expect(calls('PutEvents')).toBe(0);
  });

  it('refuses an event of the wrong shape at the edge', async () => {
    await expect(handler({ source: 'aws.s3', 'detail-type': 'Object Created', detail: {} }, context)).rejects.toBeInstanceOf(EventShapeError);
    expect(calls('PutEvents')).toBe(0);
  });

  it('fails the invocation (for a retry) when S3 cannot be read, announcing nothing', async () => {
    wire.failNext('GetObject', { status: 503, body: '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>' }, 3);
    await expect(handler(uploadEvent('config/dev/x.tgz'), context)).rejects.toMatchObject({ code: 'SlowDown', retryable: true });
    expect(calls('PutEvents')).toBe(0);
  });
});
