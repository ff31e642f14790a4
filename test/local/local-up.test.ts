import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { parseUpOptions } from '../../cli/commands/local';
import { LocalUpError, localUp } from '../../local/local-up';
import { CliError } from '../../cli/output';
import { main } from '../../cli/main';
import { spawnCli } from '../cli/run-cli';

const ROOT = resolve(__dirname, '..', '..');
const STORY_MS = 300_000;

/**
 * `wickedctl local up` as a user runs it: a process that bootstraps and deploys
 * with the real CDK CLI, prints eval-able lines, and serves until a signal;
 * then the README's first command against it: the first upload brings portal-api up.
 */
describe('wickedctl local up: cdk bootstrap + cdk deploy of the app, then the first upload', () => {
  let dir: string;
  let up: ReturnType<typeof spawn>;
  let printed = '';
  let logged = '';
  let exports: Record<string, string> = {};
  let exited: Promise<number | null>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-up-'));
    // The ECS waits of the deploy and the rollout are emulated time: a fast clock shortens them.
    up = spawn(process.execPath, [join(ROOT, 'bin', 'wickedctl.js'), 'local', 'up', '--env', 'dev', '--state-dir', join(dir, 'state'), '--clock-speed', '20'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    exited = new Promise((done) => up.on('close', done));
    await new Promise<void>((ready, fail) => {
      up.stdout!.on('data', (chunk: Buffer) => {
        printed += chunk.toString('utf8');
        // Every line is written at once when the deploy is done; the notification line comes before the exports.
        if (/^export AWS_ENDPOINT_URL_STS=\S+$/m.test(printed) && /^export AWS_ACCOUNT_ID=\S+$/m.test(printed)) ready();
      });
      up.stderr!.on('data', (chunk: Buffer) => { logged += chunk.toString('utf8'); });
      void exited.then((code) => fail(new Error(`local up exited with ${code} before printing its exports:\n${logged.slice(-4000)}`)));
    });
    exports = Object.fromEntries([...printed.matchAll(/^export ([A-Z0-9_]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  }, STORY_MS);
  afterAll(async () => {
    if (up.exitCode === null) up.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  });

  it('prints only comments and exports: every endpoint, the stack\'s SSM parameter path; progress went to stderr', () => {
    const lines = printed.trim().split('\n');
    expect(lines.filter((line) => !line.startsWith('# ') && !/^export [A-Z0-9_]+=\S+$/.test(line))).toEqual([]);
    expect(Object.keys(exports)).toEqual(expect.arrayContaining([
      'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_ECS', 'AWS_ENDPOINT_URL_ECR', 'AWS_ENDPOINT_URL_BACKUP', 'AWS_ENDPOINT_URL_EVENTBRIDGE', 'AWS_ENDPOINT_URL_DYNAMODB',
      'AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING', 'AWS_ENDPOINT_URL_SNS', 'AWS_ENDPOINT_URL_SCHEDULER', 'AWS_ENDPOINT_URL_SSM', 'AWS_ENDPOINT_URL_CLOUDFORMATION', 'AWS_ENDPOINT_URL_STS',
      'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_ACCOUNT_ID',
    ]));
    expect(printed).toMatch(/^# dev: SSM parameters \/wicked\/dev\/ \(every command finds it with --env dev\), config bucket s3:\/\/\S+, cluster \S+, images 000000000000\.dkr\.ecr\.us-east-1\.amazonaws\.com\/wicked-dev\/portal-api, ledger \S+$/m);
    // Both commands get the cached assembly: the bootstrap does not synthesize the app again.
    expect(logged).toMatch(/wickedctl local up: cdk bootstrap aws:\/\/000000000000\/us-east-1 --app \S+\.cache\/cdk\.out-[0-9a-f]{64}/);
    expect(logged).toMatch(/wickedctl local up: cdk deploy wicked-dev --app \S+\.cache\/cdk\.out-[0-9a-f]{64}/);
    expect(logged).toMatch(/wickedctl local up: cdk: .*wicked-dev/);
  });

  it('the first `wickedctl upload --env dev --follow` builds portal-api onto the cached base and brings it up', async () => {
    const ecs = new ECSClient({ endpoint: exports.AWS_ENDPOINT_URL_ECS, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const cluster = /cluster (\S+),/.exec(printed)![1]!;
    try {
      const before = await ecs.send(new DescribeServicesCommand({ cluster, services: ['portal-api'] }));
      expect(before.services?.[0]).toMatchObject({ desiredCount: 0, runningCount: 0 });
      const run = await spawnCli(['upload', '--config', 'examples/static', '--env', 'dev', '--follow', '--timeout', '240'], { env: exports });
      expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
      const after = await ecs.send(new DescribeServicesCommand({ cluster, services: ['portal-api'] }));
      expect(after.services?.[0]).toMatchObject({ desiredCount: 1, runningCount: 1 });
      expect(after.services?.[0]?.deployments?.filter((d) => d.status === 'PRIMARY').map((d) => d.rolloutState)).toEqual(['COMPLETED']);
    } finally {
      ecs.destroy();
    }
  }, STORY_MS);

  it('stops on SIGTERM with exit 0', async () => {
    up.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(logged).toContain('wickedctl: SIGTERM: stopping the local cloud');
  }, 60_000);
});

describe('wickedctl local up options', () => {
  it.each([
    [{ port: '70000' }, /--port: received 70000/],
    [{ port: 'abc' }, /--port: received abc/],
    [{ clockSpeed: '0' }, /--clock-speed: received 0, expected a number > 0/],
    [{ env: 'Prod' }, /--env: received Prod/],
    [{ env: ['dev', 'Prod'] }, /--env: received Prod/],
    [{ env: ['dev', 'dev'] }, /--env: received dev, dev, expected each environment once/],
  ])('refuses %j', (change, message) => {
    expect(() => parseUpOptions({ stateDir: '.local', env: 'dev', clockSpeed: '1', ...change })).toThrow(CliError);
    expect(() => parseUpOptions({ stateDir: '.local', env: 'dev', clockSpeed: '1', ...change })).toThrow(message);
  });

  it.each([
    [[] as string[], ['dev']],
    [['qa'], ['qa']],
    [['dev', 'prod'], ['dev', 'prod']],
  ])('--env %j deploys %j', (env, envs) => {
    expect(parseUpOptions({ stateDir: '.local', env, clockSpeed: '1', port: '4566' })).toEqual({ stateDir: resolve('.local'), envs, clockSpeed: 1, basePort: 4566 });
  });

  it('an environment the app in cdk.json does not define: an error naming it and the defined ones, no cloud started', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'local-up-unknown-'));
    try {
      const error = await localUp({ root: ROOT, stateDir: join(dir, 'cloud'), envs: ['dev', 'staging'] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LocalUpError);
      expect(error).toMatchObject({ code: 'UnknownEnvironment', message: expect.stringMatching(/--env staging: the app in cdk\.json has no stack wicked-staging; expected one of dev, prod/) });
      expect(existsSync(join(dir, 'cloud'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, STORY_MS);

  it('exits 2 with the message for an invalid option, through the CLI entry point', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const err: Buffer[] = [];
    stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const code = await main(['node', 'wickedctl', 'local', 'up', '--clock-speed', '-1'], { stdout, stderr, stdin: Readable.from([]) });
    expect(code).toBe(2);
    expect(Buffer.concat(err).toString()).toContain('--clock-speed: received -1');
  });
});
