import type { BackupControl } from '../../backup';
import type { LocalBus } from '../../bus';
import type { EcrControl } from '../../ecr';
import type { EcsControl } from '../../ecs';
import type { Clock } from '../../kernel/clock';
import type { PullThroughCache } from '../../pull-through-cache';
import type { SchedulerControl } from '../../scheduler';
import type { ParameterStore } from '../parameters';

/** Region and static credentials the providers' SDK clients use against the emulator. */
export const CLIENT_DEFAULTS = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } as const;

/** The emulated services the resource providers create resources in. */
export interface EmulatorLinks {
  /** Endpoints of the services providers reach through the AWS SDK. */
  readonly endpoints: { readonly s3: string; readonly dynamodb: string; readonly ecs: string; readonly autoscaling: string; readonly sns: string; readonly scheduler: string; readonly backup: string };
  readonly ecr: Pick<EcrControl, 'createRepository' | 'deleteRepository' | 'registry'>;
  readonly parameters: ParameterStore;
  readonly backup: Pick<BackupControl, 'createVault' | 'deleteVault' | 'createFileSystem' | 'deleteFileSystem' | 'registerDatabase' | 'deregisterDatabase'>;
  readonly bus: LocalBus;
  readonly scheduler: SchedulerControl;
  /** The ECS emulator's deployments, which the service provider waits on as CloudFormation waits for a stable service. */
  readonly ecs: Pick<EcsControl, 'deployments' | 'waitForRollout' | 'taskHistory'>;
  /** The emulator's clock (the service provider's stabilisation timeout runs on it). */
  readonly clock: Clock;
  /** The account's ECR pull-through cache rules. */
  readonly pullThrough: Pick<PullThroughCache, 'addRule' | 'deleteRule' | 'ruleFor'>;
}

/** A property the provider needs, converted from CloudFormation's PascalCase to the SDK's camelCase input (map-valued keys kept). */
export function camelInput(value: unknown, keepKeysOf: ReadonlySet<string> = MAP_PROPERTIES): unknown {
  if (Array.isArray(value)) return value.map((item) => camelInput(item, keepKeysOf));
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [
    key.charAt(0).toLowerCase() + key.slice(1),
    keepKeysOf.has(key) ? item : camelInput(item, keepKeysOf),
  ]));
}

/** Properties whose values are maps with user-chosen keys (not renamed). */
const MAP_PROPERTIES: ReadonlySet<string> = new Set(['Options', 'DockerLabels', 'SystemControls', 'Tags']);
