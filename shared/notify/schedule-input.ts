import type { CreateScheduleInput } from '@aws-sdk/client-scheduler';
import { createHash } from 'node:crypto';
import { EVENT_SOURCE } from '../events';
import { DeployDetailType } from '../events/deploy';
import type { StuckCheckDueDetail } from '../events/deploy';
import { NotifyError } from './errors';

/** Longest EventBridge Scheduler schedule name. */
export const MAX_SCHEDULE_NAME_LENGTH = 64;
/** Characters of the name hash that keep truncated names apart. */
const HASH_LENGTH = 12;
const NAME_CHARACTER = /[^0-9A-Za-z_.-]/g;

/** Where the stuck-check schedules put their event. */
export interface StuckCheckTarget {
  /** Schedule group of the stuck checks. */
  readonly groupName: string;
  /** ARN of the control plane's event bus. */
  readonly eventBusArn: string;
  /** Role EventBridge Scheduler assumes to put the event (events:PutEvents on the bus). */
  readonly roleArn: string;
}

/** One stuck check: deliver `Portal Stuck Check Due` of `deploymentId` at `at`. */
export interface StuckCheck {
  readonly env: string;
  readonly deploymentId: string;
  readonly at: Date;
}

/**
 * The schedule name of a deployment's stuck check for one deadline:
 * `stuck-<env>-<id>` with characters outside Scheduler's `[0-9A-Za-z_.-]`
 * replaced by `-`, cut to fit and always ending in a hash of env, id and the
 * deadline (to the second, as {@link atExpression}). Two deployments, or two
 * phases of one deployment with their own deadlines (the pre-deploy snapshot,
 * then the rollout), never share a name; a redelivered request for the same
 * deadline always gets the same one (a conflict: already scheduled).
 *
 * @example
 * stuckCheckScheduleName('prod', '0000000042-3f2a', at) // 'stuck-prod-0000000042-3f2a-<12 hex>'
 */
export function stuckCheckScheduleName(env: string, deploymentId: string, at: Date): string {
  const hash = createHash('sha256').update(`${env}\n${deploymentId}\n${atExpression(at)}`).digest('hex').slice(0, HASH_LENGTH);
  const readable = `stuck-${env}-${deploymentId}`.replace(NAME_CHARACTER, '-').slice(0, MAX_SCHEDULE_NAME_LENGTH - HASH_LENGTH - 1);
  return `${readable}-${hash}`;
}

/**
 * Scheduler's one-time expression for an instant, in UTC, rounded up to the
 * next whole second so the check never fires before the deadline.
 *
 * @example
 * atExpression(new Date('2026-11-23T12:30:00.250Z')) // 'at(2026-11-23T12:30:01)'
 */
export function atExpression(at: Date): string {
  const ms = at.getTime();
  if (!Number.isFinite(ms)) throw new NotifyError('INVALID_SCHEDULE_TIME', `stuck check time: received ${String(at)}, expected a valid date`);
  return `at(${new Date(Math.ceil(ms / 1000) * 1000).toISOString().slice(0, 19)})`;
}

/**
 * The CreateSchedule input of one stuck check: a one-time `at(...)` schedule
 * in UTC, no flexible window, deleted after it ran, whose target puts
 * `Portal Stuck Check Due` with the check as detail on the control plane's bus.
 *
 * @example
 * toCreateScheduleInput({ env: 'prod', deploymentId, at }, { groupName, eventBusArn, roleArn });
 */
export function toCreateScheduleInput(check: StuckCheck, target: StuckCheckTarget): CreateScheduleInput {
  const detail: StuckCheckDueDetail = { env: check.env, deploymentId: check.deploymentId };
  return {
    Name: stuckCheckScheduleName(check.env, check.deploymentId, check.at),
    GroupName: target.groupName,
    Description: `Stuck check of deployment ${check.deploymentId} in ${check.env}`.slice(0, 512),
    ScheduleExpression: atExpression(check.at),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    State: 'ENABLED',
    Target: busTarget(target, DeployDetailType.StuckCheckDue, detail, { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 }),
  };
}

/**
 * A schedule target that puts one control-plane event (`detailType`, `detail`)
 * on the bus, as the stuck check and the safety-net nudge both do.
 */
export function busTarget(target: StuckCheckTarget, detailType: string, detail: object, retry: NonNullable<CreateScheduleInput['Target']>['RetryPolicy']): NonNullable<CreateScheduleInput['Target']> {
  return {
    Arn: target.eventBusArn,
    RoleArn: target.roleArn,
    Input: JSON.stringify(detail),
    EventBridgeParameters: { DetailType: detailType, Source: EVENT_SOURCE },
    RetryPolicy: retry,
  };
}
