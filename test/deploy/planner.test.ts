import { planDeployment, toStartSingletonInput, toUpdateServiceInput } from '../../shared/deploy';
import type { DeployAction, DeployPolicy, ServiceState } from '../../shared/deploy';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const NEW = d('b');
const OLD = d('a');
const desired = { digest: NEW, imageUri: `repo@${NEW}`, repositoryName: 'portal-api', releaseTag: 'dev-live' };
const state = (patch: Partial<ServiceState> = {}): ServiceState => ({ cluster: 'wicked', serviceName: 'portal-api', desiredCount: 1, aliveTaskCount: 1, primaryDigest: OLD, releaseTagDigest: OLD, ...patch });
const single: DeployPolicy = { kind: 'singleton', strictSingleton: false };
const strict: DeployPolicy = { kind: 'singleton', strictSingleton: true };
const gateway: DeployPolicy = { kind: 'gateway', strictSingleton: false };
const tag: DeployAction = { type: 'move-release-tag', repositoryName: 'portal-api', tag: 'dev-live', digest: NEW };
const force: DeployAction = { type: 'force-new-deployment' };
const zero: DeployAction = { type: 'scale-to-zero' };
const wait: DeployAction = { type: 'wait-for-no-tasks' };

describe('planDeployment', () => {
  it.each<[string, ServiceState, DeployPolicy, DeployAction[]]>([
    ['singleton on the old digest: move tag, force', state(), single, [tag, force]],
    ['already runs the digest, tag there: nothing', state({ primaryDigest: NEW, releaseTagDigest: NEW }), single, []],
    ['already runs the digest, tag elsewhere: tag only, no restart', state({ primaryDigest: NEW }), single, [tag]],
    ['tag moved by a crashed attempt: force only', state({ releaseTagDigest: NEW }), single, [force]],
    ['release tag missing: create it, force', state({ releaseTagDigest: undefined }), single, [tag, force]],
    ['mixed primary digests count as not running it', state({ primaryDigest: undefined }), single, [tag, force]],
    ['singleton stopped (desired 0): start it', state({ desiredCount: 0, aliveTaskCount: 0, primaryDigest: undefined }), single, [tag, force]],
    ['strict: scale to 0, wait, start', state(), strict, [tag, zero, wait, force]],
    ['strict, already at 0 but a task is STOPPING: wait, start', state({ desiredCount: 0, aliveTaskCount: 1, primaryDigest: undefined }), strict, [tag, wait, force]],
    ['strict, drained: start (resume after the wait)', state({ desiredCount: 0, aliveTaskCount: 0, primaryDigest: undefined, releaseTagDigest: NEW }), strict, [force]],
    ['strict, already runs the digest: nothing', state({ primaryDigest: NEW, releaseTagDigest: NEW }), strict, []],
    ['strict, desired 1 but no task alive: still scales to 0 first', state({ aliveTaskCount: 0, primaryDigest: undefined }), strict, [tag, zero, wait, force]],
    ['gateway scaled to 7: force only, no scale steps', state({ desiredCount: 7, aliveTaskCount: 7 }), gateway, [tag, force]],
    ['gateway with strict flag ignores it', state({ desiredCount: 7 }), { kind: 'gateway', strictSingleton: true }, [tag, force]],
    ['gateway already on the digest: nothing', state({ desiredCount: 7, primaryDigest: NEW, releaseTagDigest: NEW }), gateway, []],
    ['gateway on the digest, tag elsewhere: tag only', state({ desiredCount: 3, primaryDigest: NEW }), gateway, [tag]],
  ])('%s', (_name, current, policy, expected) => {
    expect(planDeployment(current, desired, policy)).toEqual(expected);
  });
});

describe('toUpdateServiceInput', () => {
  it.each([
    ['singleton force', force, 'singleton', { cluster: 'c', service: 's', desiredCount: 1, forceNewDeployment: true, deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 } }],
    ['singleton scale to zero', zero, 'singleton', { cluster: 'c', service: 's', desiredCount: 0, deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 } }],
    ['gateway force: no desiredCount, no deployment configuration', force, 'gateway', { cluster: 'c', service: 's', forceNewDeployment: true }],
  ] as const)('%s', (_name, action, kind, expected) => {
    const input = toUpdateServiceInput('c', 's', action, kind);
    expect(input).toEqual(expected);
    if (kind === 'gateway') expect(Object.keys(input)).not.toContain('desiredCount');
  });

  it('refuses to scale a gateway', () => {
    expect(() => toUpdateServiceInput('c', 'kong', zero, 'gateway')).toThrow('scaling gateway kong to zero');
  });
});

describe('toStartSingletonInput', () => {
  it('sets desired count 1 only: no forced deployment (a running task is not replaced), no deployment configuration', () => {
    expect(toStartSingletonInput('wicked', 'portal-kong-adapter')).toStrictEqual({ cluster: 'wicked', service: 'portal-kong-adapter', desiredCount: 1 });
  });
});
