import { environmentRow, environmentTable } from '../../cli/commands/envs';
import { EnvironmentLookup } from '../../cli/environment';
import type { OperatorFixture } from './operator-fixture';
import { fakeImage, recordDeployment, startOperatorFixture } from './operator-fixture';
import { lastJson, runCli } from './run-cli';
import { SETUP_LIMIT_MS } from '../helpers/signals';

describe('envs rows', () => {
  it.each([
    ['never deployed', undefined, [], 'never deployed'],
    ['idle with a last good image', { env: 'dev', revision: 2, sequencers: {}, updatedAt: 't', lastGood: { ...fakeImage('dev', 1), deploymentId: 'd-1', finishedAt: 'f' } }, [], 'idle'],
    ['rolling', { env: 'dev', revision: 2, sequencers: {}, updatedAt: 't', inFlight: { request: { ...fakeImage('dev', 1), deploymentId: 'd-1', receivedAt: 't' }, lease: { owner: 'o', expiresAt: 0 }, phase: 'rolling', startedAt: 's' } }, [], 'rolling'],
    ['missing parameters', undefined, ['/wicked/dev/cluster'], 'never deployed (incomplete parameters)'],
  ] as const)('%s', (_name, record, missing, state) => {
    expect(environmentRow('dev', { cluster: 'c' }, missing, record as never).state).toBe(state);
  });

  it('pads one column per field under a header', () => {
    const lines = environmentTable([environmentRow('dev', { cluster: 'wicked-dev', configBucket: 'b' }, [], undefined), environmentRow('production', {}, [], undefined)]);
    expect(lines[0]).toMatch(/^ENV\s+STATE\s+DEPLOYED\s+CLUSTER\s+CONFIG BUCKET$/);
    expect(lines[2]!.startsWith('production  never deployed  -')).toBe(true);
    expect(lines[1]!.indexOf('wicked-dev')).toBe(lines[0]!.indexOf('CLUSTER'));
  });
});

describe('wickedctl envs and --env against the local emulator', () => {
  let fixture: OperatorFixture;
  beforeAll(async () => { fixture = await startOperatorFixture('cli-envs-'); }, SETUP_LIMIT_MS);
  afterAll(async () => { await fixture?.stop(); });

  it('lists dev as its stack deployed it, and its state from the ledger', async () => {
    fixture.emulator.control.ssm.put({ name: '/wicked/half/cluster', value: 'wicked-half', type: 'String' });
    await recordDeployment(fixture.ledger, fakeImage('dev', 4), { kind: 'succeeded' });
    const run = await runCli(['envs', '--json']);
    expect(run.code).toBe(0);
    const { environments } = lastJson(run) as { environments: { env: string; state: string; cluster: string; configBucket: string; missing: string[]; deployed: { digest: string } | null }[] };
    expect(environments.map((e) => e.env)).toEqual(['dev', 'half']);
    expect(environments[0]).toMatchObject({ state: 'idle', cluster: fixture.emulator.resources.cluster, configBucket: fixture.names.bucket, missing: [], deployed: { digest: fakeImage('dev', 4).digest } });
    expect(environments[1]).toMatchObject({ state: 'never deployed (incomplete parameters)', cluster: 'wicked-half' });
    expect(environments[1]!.missing).toContain('/wicked/half/ledger-table');
    const human = await runCli(['envs']);
    expect(human.stdout.split('\n')[0]).toMatch(/^ENV\s+STATE\s+DEPLOYED\s+CLUSTER\s+CONFIG BUCKET$/);
  });

  it('reads the parameters once per environment and run, and a flag or WICKED_* variable wins over them', async () => {
    const calls: string[] = [];
    const { SSMClient } = await import('@aws-sdk/client-ssm');
    const client = new SSMClient({ endpoint: fixture.emulator.endpoints.ssm, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
    // One read is one first page: GetParametersByPath answers at most 10 parameters a page (MaxResults 1-10), so a read of /wicked/dev/ takes more than one call.
    client.middlewareStack.add((next) => async (args) => {
      const input = args.input as { Path?: string; NextToken?: string };
      if (input.NextToken === undefined) calls.push(input.Path ?? '?');
      return next(args);
    }, { step: 'initialize' });
    try {
      const lookup = new EnvironmentLookup({ ssm: async () => client }, { WICKED_EVENT_BUS: 'ops-bus' });
      expect(await lookup.name('bucket', undefined, 'dev')).toBe(fixture.names.bucket);
      expect(await lookup.name('table', undefined, 'dev')).toBe(fixture.names.table);
      expect(await lookup.name('table', 'override', 'dev')).toBe('override');
      expect(await lookup.name('bus', undefined, 'dev')).toBe('ops-bus');
      expect(calls).toEqual(['/wicked/dev/']);
      // The account comes from the ARNs of the environments that do exist (the credentials here name none).
      await expect(lookup.name('cluster', undefined, 'nowhere')).rejects.toThrow(/environment nowhere not found: no SSM parameters under \/wicked\/nowhere\/ in account 000000000000, region us-east-1 \(environments here: dev, half\);.*--cluster NAME or WICKED_CLUSTER/);
      await expect(lookup.name('table', undefined, 'half')).rejects.toThrow(/parameter \/wicked\/half\/ledger-table is missing/);
    } finally {
      client.destroy();
    }
  });
});
