import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { startProgress } from '../../cli/progress';
import { scaledClock } from '../../local/kernel/clock';
import { startSsm } from '../../local/ssm';

function captured(tty: boolean): { io: Parameters<typeof startProgress>[0]; text: () => string } {
  const stderr = Object.assign(new PassThrough(), { isTTY: tty });
  const chunks: Buffer[] = [];
  stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { io: { stdout: new PassThrough(), stderr, stdin: new PassThrough() }, text: () => Buffer.concat(chunks).toString() };
}

describe('progress on stderr', () => {
  it('piped: steps stay silent, notes and kept lines are plain lines, no control characters', () => {
    const { io, text } = captured(false);
    const progress = startProgress(io, 'upload to dev');
    progress.update('packing');
    progress.note('uploaded sha256:ab (10 bytes)');
    progress.line('[uploaded] s3://b/k');
    progress.update('following the deployment: rolling');
    progress.done();
    expect(text()).toBe('uploaded sha256:ab (10 bytes)\n[uploaded] s3://b/k\n');
  });

  it('on a TTY: one line redrawn in place with the step and the time spent, cleared at the end', () => {
    const { io, text } = captured(true);
    let now = 0;
    const progress = startProgress(io, 'snapshot', { now: () => now, intervalMs: 60_000 });
    now = 3_000;
    progress.update('waiting for AWS Backup');
    progress.line('[completed] job j-1');
    progress.done();
    const out = text();
    expect(out).toContain('\r\x1b[2K| snapshot: waiting for AWS Backup (3 s)');
    expect(out).toContain('\r\x1b[2K[completed] job j-1\n');
    expect(out.endsWith('\r\x1b[2K')).toBe(true);
  });
});

describe('bin/wickedctl.js on an older Node', () => {
  const systemNode = '/usr/bin/node';
  const bin = resolve(__dirname, '..', '..', 'bin', 'wickedctl.js');

  it('hands over to the Node 24 of the dev dependency: no SDK warning about the Node version, same result', async () => {
    const node = existsSync(systemNode) ? systemNode : process.execPath;
    const ssm = await startSsm({ clock: scaledClock(1) });
    try {
      const env = { ...process.env, AWS_ENDPOINT_URL_SSM: ssm.url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'l', AWS_SECRET_ACCESS_KEY: 'l', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '' };
      const run = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
        execFile(node, [bin, 'envs'], { env }, (error, stdout, stderr) => done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
      });
      expect(run).toEqual({ code: 0, stdout: 'no environment under /wicked/ here: deploy a stack (npx cdk deploy wicked-<env>) or run wickedctl local up\n', stderr: '' });
    } finally {
      await ssm.stop();
    }
  }, 60_000);
});
