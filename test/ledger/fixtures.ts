import type { DeploymentRequest, EnvironmentRecord } from '../../shared/ledger';

/** A digest made of one repeated hex character. */
export const digest = (c: string): string => `sha256:${c.repeat(64)}`;

/** A request for config key `key` with `sequencer`, building `digest(d)`. */
export function request(id: string, options: { d?: string; key?: string; sequencer?: string; env?: string } = {}): DeploymentRequest {
  const d = options.d ?? id.slice(-1);
  return {
    deploymentId: id, env: options.env ?? 'dev', configHash: `hash-${d}`, bucket: 'cfg', key: options.key ?? 'config/dev/c.tgz',
    sequencer: options.sequencer, digest: digest(d), imageUri: `acct.dkr.ecr.eu-west-1.amazonaws.com/portal-api@${digest(d)}`, tag: `cfg-${d}`,
    receivedAt: '2026-01-01T00:00:00.000Z',
  };
}

/** An environment record with defaults. */
export function environment(patch: Partial<EnvironmentRecord> = {}): EnvironmentRecord {
  return { env: 'dev', revision: 3, sequencers: {}, updatedAt: '2026-01-01T00:00:00.000Z', ...patch };
}

/** A deployment in flight, leased by `owner` until `expiresAt`. */
export function inFlight(req: DeploymentRequest, expiresAt: number, phase: 'awaiting-snapshot' | 'starting' | 'waiting-for-zero' | 'rolling' = 'rolling', owner = 'evt-0'): NonNullable<EnvironmentRecord['inFlight']> {
  return { request: req, lease: { owner, expiresAt }, phase, startedAt: '2026-01-01T00:00:00.000Z' };
}
