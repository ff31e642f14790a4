import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli';

describe('wickedctl local resources: the local cloud inventory, emulated or recorded', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'local-resources-')); });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('prints one row per resource and the counts', async () => {
    await writeFile(join(dir, 'inventory.json'), JSON.stringify([
      { stack: 'wicked-dev', logicalId: 'Cluster', type: 'AWS::ECS::Cluster', physicalId: 'wicked-dev', status: 'CREATE_COMPLETE', kind: 'emulated' },
      { stack: 'wicked-dev', logicalId: 'Vpc', type: 'AWS::EC2::VPC', physicalId: 'vpc-0a1b', status: 'CREATE_COMPLETE', kind: 'recorded, not emulated' },
    ]));
    const run = await runCli(['local', 'resources', '--state-dir', dir]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^STACK +LOGICAL ID +TYPE +KIND +PHYSICAL ID$/);
    expect(lines[1]).toMatch(/^wicked-dev +Cluster +AWS::ECS::Cluster +emulated +wicked-dev$/);
    expect(lines[2]).toMatch(/^wicked-dev +Vpc +AWS::EC2::VPC +recorded, not emulated +vpc-0a1b$/);
    expect(lines[3]).toBe('1 emulated, 1 recorded, not emulated');
  });

  it.each([
    ['no inventory file', undefined, /no inventory at .*inventory\.json: expected the state directory of a local cloud/],
    ['not JSON', '{', /inventory\.json: not JSON/],
    ['rows without the fields', '[{"stack":"x"}]', /expected a JSON array of \{ stack, logicalId, type, physicalId, status, kind \} strings/],
  ])('%s: exit 2 naming the problem', async (_what, content, message) => {
    if (content !== undefined) await writeFile(join(dir, 'inventory.json'), content);
    const run = await runCli(['local', 'resources', '--state-dir', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
