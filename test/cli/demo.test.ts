import { lastJson, spawnCli } from './run-cli';

describe('wickedctl demo', () => {
  // The installed binary, as `npm run demo` runs it: the bundle, its lazy AWS SDK and its code cache included.
  // It bootstraps and deploys wicked-dev with the real CDK CLI first (the app from the synth cache), then drives the deployed Lambdas.
  it('walks the story on the deployed stack and exits 0 only when every step behaved', async () => {
    const run = await spawnCli(['demo', '--json'], { timeoutMs: 600_000 });
    const result = lastJson(run) as { ok: boolean; steps: { name: string; ok: boolean; detail: string }[] };
    expect(result.steps.filter((step) => !step.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(run.code).toBe(0);
    expect(result.steps.map((step) => step.name)).toEqual(expect.arrayContaining([
      'cdk bootstrap + cdk deploy wicked-dev',
      'build the portal-api image without a daemon',
      'upload the example config',
      'scheduled snapshot of the dynamic data',
      'upload a changed config',
      'upload a broken config',
      'deploy an image that fails its health check',
      'restore the last snapshot',
      'invariants over the whole run',
    ]));
    expect(run.stdout).toMatch(/^demo: OK in \d+\.\d s$/m);
  }, 610_000);
});
