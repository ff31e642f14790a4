import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Command } from 'commander';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { parseUpOptions, registerLocal } from '../../../cli/commands/local';
import { CliError } from '../../../cli/output';
import { main } from '../../../cli/main';

describe('wickedctl local up', () => {
  it('starts the emulator, prints eval-able lines (endpoints as comments, then exports), and stops cleanly on a signal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'local-up-'));
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let printed = '';
    let logged = '';
    stderr.on('data', (chunk: Buffer) => { logged += chunk.toString(); });
    let stop!: (signal: string) => void;
    const stopped = new Promise<string>((resolve) => { stop = resolve; });
    let checked: Promise<void> = Promise.resolve();
    stdout.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      // while it runs, the printed endpoint answers the SDK
      const s3 = /^export AWS_ENDPOINT_URL_S3=(.*)$/m.exec(printed)?.[1];
      const sns = /^export AWS_ENDPOINT_URL_SNS=(.*)$/m.exec(printed)?.[1];
      if (!s3 || !sns) return;
      checked = (async () => {
        const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
        const client = new S3Client({ ...local, endpoint: s3, forcePathStyle: true });
        const notify = new SNSClient({ ...local, endpoint: sns });
        try {
          await client.send(new HeadBucketCommand({ Bucket: 'wicked-qa-config' }));
          await notify.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:wicked-qa-notifications', Subject: 'wicked qa: hello', Message: 'from the test', MessageAttributes: { env: { DataType: 'String', StringValue: 'qa' } } }));
        } finally {
          client.destroy();
          notify.destroy();
          stop('SIGTERM');
        }
      })();
    });
    const program = new Command('wickedctl').exitOverride();
    let exit = -1;
    registerLocal(program, { stdout, stderr, stdin: Readable.from([]) }, (code) => { exit = code; }, () => stopped);
    try {
      await program.parseAsync(['node', 'wickedctl', 'local', 'up', '--state-dir', join(dir, 'state'), '--env', 'qa', '--clock-speed', '50']);
      await checked;
      expect(exit).toBe(0);
      const lines = printed.trim().split('\n');
      expect(lines.filter((line) => !line.startsWith('# ') && !/^export [A-Z0-9_]+=\S+$/.test(line))).toEqual([]);
      expect(lines.filter((line) => line.startsWith('export ')).map((line) => line.slice(7, line.indexOf('=')))).toEqual(expect.arrayContaining([
        'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_ECS', 'AWS_ENDPOINT_URL_ECR', 'AWS_ENDPOINT_URL_BACKUP', 'AWS_ENDPOINT_URL_EVENTBRIDGE',
        'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING', 'AWS_ENDPOINT_URL_SNS', 'AWS_ENDPOINT_URL_SCHEDULER', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION',
      ]));
      // a notification published while it runs is shown on stderr
      expect(logged).toMatch(/wickedctl: notification \S+ wicked qa: hello \{"env":"qa"\}\nfrom the test\n/);
      expect(printed).toContain('# qa: SSM parameters /wicked/qa/ (every command finds it with --env qa), config bucket s3://wicked-qa-config');
      expect((await stat(join(dir, 'state', 'efs'))).isDirectory()).toBe(true);
      // stopped: the endpoint no longer answers, and process.env is restored
      expect(process.env.AWS_ENDPOINT_URL_S3).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

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
    [[] as string[], { env: 'dev' }],
    [['qa'], { env: 'qa' }],
    [['dev', 'prod'], { env: 'dev', envs: ['dev', 'prod'] }],
  ])('--env %j provisions %j', (env, expected) => {
    const parsed = parseUpOptions({ stateDir: '.local', env, clockSpeed: '1' });
    expect(parsed).toMatchObject(expected);
    if (!('envs' in expected)) expect(parsed).not.toHaveProperty('envs');
  });

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
