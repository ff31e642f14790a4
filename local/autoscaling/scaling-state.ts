import { randomUUID } from 'node:crypto';
import type { Clock } from '../kernel/clock';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../kernel/events';
import { AutoScalingEmulatorError } from './errors';
import { scalingDecision, targetTrackingDesired } from './target-tracking';
import type { ScalingDecision } from './target-tracking';

/** What Application Auto Scaling needs from ECS: the in-process equivalent of UpdateService desiredCount. */
export interface EcsScalingPort {
  setDesiredCount(cluster: string, service: string, desiredCount: number): void;
  getDesiredCount(cluster: string, service: string): number;
}

/** Predefined metrics the emulator can track. */
export type PredefinedMetric = 'ECSServiceAverageCPUUtilization' | 'ALBRequestCountPerTarget';

/** Simulated load: average CPU in percent and/or requests per target. */
export interface SimulatedLoad {
  readonly cpu?: number;
  readonly requestsPerTarget?: number;
}

/** A registered scalable target. */
export interface ScalableTargetRecord {
  readonly resourceId: string;
  readonly cluster: string;
  readonly service: string;
  readonly scalableTargetArn: string;
  readonly createdAt: number;
  minCapacity: number;
  maxCapacity: number;
  roleArn: string;
  lastScaleOutAt?: number;
  lastScaleInAt?: number;
}

/** A target-tracking scaling policy. */
export interface PolicyRecord {
  readonly policyName: string;
  readonly policyArn: string;
  readonly resourceId: string;
  readonly metric: PredefinedMetric;
  readonly targetValue: number;
  readonly scaleOutCooldownMs: number;
  readonly scaleInCooldownMs: number;
  readonly disableScaleIn: boolean;
  readonly createdAt: number;
  readonly configuration: Readonly<Record<string, unknown>>;
}

/** What one simulated load did. */
export interface SimulatedScaling {
  readonly previous: number;
  readonly desired: number;
  readonly decision: ScalingDecision;
  readonly policyName?: string;
}

const metricOf: Record<PredefinedMetric, keyof SimulatedLoad> = { ECSServiceAverageCPUUtilization: 'cpu', ALBRequestCountPerTarget: 'requestsPerTarget' };

/** Scalable targets and policies, and the target-tracking loop driven by simulated load. */
export class ScalingState {
  readonly targets = new Map<string, ScalableTargetRecord>();
  readonly policies = new Map<string, PolicyRecord>();

  constructor(private readonly clock: Clock, private readonly ecs: EcsScalingPort) {}

  /** Registers or updates a target; an existing ECS service's count is brought within the new bounds. */
  register(resourceId: string, min: number | undefined, max: number | undefined, roleArn: string | undefined): ScalableTargetRecord {
    const [, cluster = '', service = ''] = resourceId.split('/');
    const existing = this.targets.get(resourceId);
    const current = this.currentCapacity(cluster, service, resourceId);
    if (!existing && (min === undefined || max === undefined)) {
      throw new AutoScalingEmulatorError('VALIDATION', `MinCapacity and MaxCapacity are required to register ${resourceId}`, { resourceId });
    }
    const target: ScalableTargetRecord = existing ?? {
      resourceId, cluster, service, createdAt: this.clock.now(), minCapacity: 0, maxCapacity: 0,
      scalableTargetArn: `arn:aws:application-autoscaling:${LOCAL_REGION}:${LOCAL_ACCOUNT}:scalable-target/${randomUUID().replace(/-/g, '')}`,
      roleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
    };
    const nextMin = min ?? target.minCapacity;
    const nextMax = max ?? target.maxCapacity;
    if (nextMin > nextMax) throw new AutoScalingEmulatorError('VALIDATION', `MinCapacity ${nextMin} must not exceed MaxCapacity ${nextMax}`, { resourceId, min: nextMin, max: nextMax });
    target.minCapacity = nextMin;
    target.maxCapacity = nextMax;
    if (roleArn) target.roleArn = roleArn;
    this.targets.set(resourceId, target);
    const bounded = Math.min(nextMax, Math.max(nextMin, current));
    if (bounded !== current) this.ecs.setDesiredCount(cluster, service, bounded);
    return target;
  }

  /** DeregisterScalableTarget: the target and its scaling policies ("DeregisterScalableTarget", Application Auto Scaling API Reference). */
  deregister(resourceId: string): void {
    if (!this.targets.delete(resourceId)) throw new AutoScalingEmulatorError('OBJECT_NOT_FOUND', `No scalable target registered for service namespace: ecs, resource ID: ${resourceId}, scalable dimension: ecs:service:DesiredCount`, { resourceId });
    for (const [key, policy] of this.policies) if (policy.resourceId === resourceId) this.policies.delete(key);
  }

  /** DeleteScalingPolicy. */
  deletePolicy(resourceId: string, policyName: string): void {
    if (!this.policies.delete(`${resourceId}|${policyName}`)) throw new AutoScalingEmulatorError('OBJECT_NOT_FOUND', `No scaling policy found for service namespace: ecs, resource ID: ${resourceId}, scalable dimension: ecs:service:DesiredCount, policy name: ${policyName}`, { resourceId, policyName });
  }

  /** Creates or replaces a target-tracking policy. */
  putPolicy(policy: Omit<PolicyRecord, 'policyArn' | 'createdAt'>): PolicyRecord {
    if (!this.targets.has(policy.resourceId)) {
      throw new AutoScalingEmulatorError('OBJECT_NOT_FOUND', `No scalable target registered for service namespace: ecs, resource ID: ${policy.resourceId}, scalable dimension: ecs:service:DesiredCount`, { resourceId: policy.resourceId });
    }
    const policyArn = `arn:aws:autoscaling:${LOCAL_REGION}:${LOCAL_ACCOUNT}:scalingPolicy:${randomUUID()}:resource/ecs/${policy.resourceId}:policyName/${policy.policyName}`;
    const record = { ...policy, policyArn, createdAt: this.clock.now() };
    this.policies.set(`${policy.resourceId}|${policy.policyName}`, record);
    return record;
  }

  /**
   * Feeds a metric sample to every policy of the target that tracks it and
   * applies the resulting capacity through ECS, honouring cooldowns.
   */
  simulateLoad(resourceId: string, load: SimulatedLoad): SimulatedScaling {
    const target = this.targets.get(resourceId);
    if (!target) throw new AutoScalingEmulatorError('OBJECT_NOT_FOUND', `simulateLoad: no scalable target ${resourceId}`, { resourceId });
    const previous = this.ecs.getDesiredCount(target.cluster, target.service);
    const proposals = [...this.policies.values()]
      .filter((policy) => policy.resourceId === resourceId && load[metricOf[policy.metric]] !== undefined)
      .map((policy) => ({ policy, desired: targetTrackingDesired({ current: previous, metric: load[metricOf[policy.metric]] as number, target: policy.targetValue, min: target.minCapacity, max: target.maxCapacity }) }))
      .sort((a, b) => b.desired - a.desired);
    const chosen = proposals[0];
    if (!chosen) return { previous, desired: previous, decision: 'none' };
    const now = this.clock.now();
    const decision = scalingDecision({
      current: previous, proposed: chosen.desired, now, lastScaleOutAt: target.lastScaleOutAt, lastScaleInAt: target.lastScaleInAt,
      scaleOutCooldownMs: chosen.policy.scaleOutCooldownMs, scaleInCooldownMs: chosen.policy.scaleInCooldownMs, disableScaleIn: chosen.policy.disableScaleIn,
    });
    if (decision !== 'scale-out' && decision !== 'scale-in') return { previous, desired: previous, decision, policyName: chosen.policy.policyName };
    if (decision === 'scale-out') target.lastScaleOutAt = now;
    else target.lastScaleInAt = now;
    this.ecs.setDesiredCount(target.cluster, target.service, chosen.desired);
    return { previous, desired: chosen.desired, decision, policyName: chosen.policy.policyName };
  }

  private currentCapacity(cluster: string, service: string, resourceId: string): number {
    try {
      return this.ecs.getDesiredCount(cluster, service);
    } catch (error) {
      throw new AutoScalingEmulatorError('VALIDATION', `ECS service doesn't exist: ${resourceId} (${(error as Error).message})`, { resourceId });
    }
  }
}
