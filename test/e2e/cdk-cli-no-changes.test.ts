import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cloud } from '../../local/cloud';
import { bootstrappedCloud, cdk } from '../helpers/cdk-cli';

const CLI_MS = 300_000;

/**
 * `cdk deploy` of an unchanged app, synthesized afresh, changes nothing: the
 * singleton counts resource (infra/constructs/singleton-counts.ts) carries no
 * per-synth value, so the CLI finds the deployed template identical and neither
 * the stack nor the count reader runs again.
 */
describe('the real CDK CLI: an unchanged app, synthesized again, deploys as "(no changes)"', () => {
  let dir: string;
  let cloud: Cloud;
  let stop: (() => Promise<void>) | undefined;
  const deploy = (out: string) => cdk(cloud, ['deploy', 'wicked-dev', '--require-approval', 'never', '--output', join(dir, out)]);
  const template = async (out: string) => readFile(join(dir, out, 'wicked-dev.template.json'), 'utf8');
  const countReader = () => {
    const fn = [...cloud.cloudformation.stack('wicked-dev').resources.values()].find((r) => r.type === 'AWS::Lambda::Function' && r.logicalId.startsWith('PlatformWorkloadSingletonsCountsHandler'))!;
    return cloud.functions.invocations(fn.physicalId);
  };
  beforeAll(async () => {
    ({ cloud, dir, stop } = await bootstrappedCloud('e2e-cdk-no-changes-', { clockSpeed: 20 }));
  }, CLI_MS);
  afterAll(async () => {
    await stop?.();
  });

  it('deploys, then a second deploy from a fresh synth says "(no changes)": no stack event, the count reader not run again', async () => {
    const first = await deploy('first');
    expect(first.output).toMatch(/✅ {2}wicked-dev/);
    expect(first.code).toBe(0);
    expect(cloud.cloudformation.stack('wicked-dev').status).toBe('CREATE_COMPLETE');
    expect(countReader().map((i) => i.outcome)).toEqual(['success']);
    const events = cloud.cloudformation.stack('wicked-dev').events.length;

    const second = await deploy('second');

    expect(second.output).toContain('wicked-dev (no changes)');
    expect(second.code).toBe(0);
    expect(await template('second')).toBe(await template('first')); // a fresh synth, the same bytes
    expect(cloud.cloudformation.stack('wicked-dev').events.length).toBe(events);
    expect(countReader()).toHaveLength(1);
  }, 2 * CLI_MS);
});
