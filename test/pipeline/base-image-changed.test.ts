import type { PassThrough } from 'node:stream';
import { Readable } from 'node:stream';
import type { DeploymentRecord, EnvironmentRecord } from '../../shared/ledger';
import type { ImageRepository } from '../../shared/oci';
import type { BaseImageChangedDeps } from '../../shared/pipeline/base-image-changed';
import { handleBaseImageChanged, rebuiltDetail } from '../../shared/pipeline/base-image-changed';
import { PipelineError } from '../../shared/pipeline/errors';

const D = (c: string): string => `sha256:${c.repeat(64)}`;
const good = { deploymentId: 'd-1', digest: D('a'), configHash: 'h', imageUri: `r@${D('a')}`, finishedAt: 't' };
const record: DeploymentRecord = {
  deploymentId: 'd-1', env: 'dev', configHash: 'h', bucket: 'cfg', key: 'config/dev/a.tgz', versionId: 'v1', sequencer: '00A0', digest: D('a'),
  imageUri: `r@${D('a')}`, tag: 'cfg-a', receivedAt: 't', state: 'succeeded', createdAt: 't', updatedAt: 't',
};

/** Deps whose ledger returns `env` and `records`; every other call is counted. */
function deps(env: EnvironmentRecord | undefined, records: DeploymentRecord[] = []): BaseImageChangedDeps & { calls: string[]; logs: string[] } {
  const calls: string[] = [];
  const logs: string[] = [];
  const unused = (name: string) => async (): Promise<never> => { calls.push(name); throw new Error(`${name} must not be called`); };
  return {
    calls, logs,
    ledger: { getEnvironment: async () => env, getDeployment: async (_env, id) => records.find((r) => r.deploymentId === id) },
    objects: { open: async () => { calls.push('open'); return { body: Readable.from([Buffer.from('not an archive')]) as unknown as PassThrough }; } },
    events: { publish: unused('publish') },
    openBase: async () => { calls.push('openBase'); return { base: { repository: {} as ImageRepository, reference: 'x' }, digest: D('b') }; },
    image: { target: {} as ImageRepository },
    defaultBaseImage: 'h:1/docker-hub/w:1.0.0',
    log: (_level, message) => { logs.push(message); },
  };
}

describe('handleBaseImageChanged', () => {
  it('is a logged no-op when nothing is deployed, on the configured base when the event names none', async () => {
    const d = deps({ env: 'dev', revision: 1, sequencers: {}, updatedAt: 't' });
    expect(await handleBaseImageChanged({ env: 'dev' }, d)).toEqual({ outcome: 'nothing-deployed', reason: 'nothing deployed in dev yet: the next config upload builds on h:1/docker-hub/w:1.0.0' });
    expect(d.logs).toEqual([expect.stringContaining('base image changed, no rebuild: nothing deployed in dev yet')]);
    expect(d.calls).toEqual([]);
  });

  it('fails with LAST_GOOD_RECORD_MISSING when the ledger lost the last good record, before opening anything', async () => {
    const d = deps({ env: 'dev', revision: 1, sequencers: {}, updatedAt: 't', lastGood: good });
    await expect(handleBaseImageChanged({ env: 'dev', baseImage: 'h:1/x:2' }, d)).rejects.toMatchObject({ code: 'LAST_GOOD_RECORD_MISSING', message: expect.stringContaining('names d-1 as the last good deployment but holds no record') });
    await expect(handleBaseImageChanged({ env: 'dev', baseImage: 'h:1/x:2' }, d)).rejects.toBeInstanceOf(PipelineError);
    expect(d.calls).toEqual([]);
  });

  it('refuses (no event) when the deployed object no longer reads as a config archive', async () => {
    const d = deps({ env: 'dev', revision: 1, sequencers: {}, updatedAt: 't', lastGood: good }, [record]);
    const result = await handleBaseImageChanged({ env: 'dev', baseImage: 'h:1/x:2' }, d);
    expect(result).toMatchObject({ outcome: 'rejected', reason: expect.stringContaining('s3://cfg/config/dev/a.tgz@v1 (deployed as d-1) no longer passes validation') });
    expect(d.calls).toEqual(['openBase', 'open']);
  });
});

describe('rebuiltDetail', () => {
  it('keeps the object and its sequencer, names the new image, what it rebuilds and the base', () => {
    const image = { configHash: 'h', imageUri: `r@${D('c')}`, digest: D('c'), tag: 'cfg-c' };
    expect(rebuiltDetail('dev', record, 'd-1', D('b'), image)).toEqual({ env: 'dev', bucket: 'cfg', key: 'config/dev/a.tgz', versionId: 'v1', sequencer: '00A0', ...image, rebuildOf: 'd-1', baseDigest: D('b') });
    expect(rebuiltDetail('dev', { ...record, versionId: undefined, sequencer: undefined }, 'd-1', D('b'), image)).not.toHaveProperty('versionId');
  });
});
