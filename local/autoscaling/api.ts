import type { JsonOperation } from '../kernel/aws-json';
import { fieldReader } from '../ecs/input';
import { AutoScalingEmulatorError } from './errors';
import type { PolicyRecord, PredefinedMetric, ScalableTargetRecord, ScalingState } from './scaling-state';

const read = fieldReader((message, context) => new AutoScalingEmulatorError('VALIDATION', message, context));
const METRICS: readonly PredefinedMetric[] = ['ECSServiceAverageCPUUtilization', 'ALBRequestCountPerTarget'];
const RESOURCE_ID = /^service\/[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+$/;
/** Default target-tracking cooldowns for ECS, in seconds (AWS docs: 300 s). */
export const DEFAULT_COOLDOWN_SECONDS = 300;

/** Checks the namespace / resource id / dimension triple the emulator supports (ECS services only). */
function ecsTarget(input: Record<string, unknown>): string {
  const namespace = read.string(input, 'ServiceNamespace');
  if (namespace !== 'ecs') throw new AutoScalingEmulatorError('VALIDATION', `ServiceNamespace: expected ecs, received ${namespace}`, { namespace });
  const resourceId = read.string(input, 'ResourceId');
  if (!RESOURCE_ID.test(resourceId)) throw new AutoScalingEmulatorError('VALIDATION', `ResourceId: expected service/<cluster>/<service>, received ${resourceId}`, { resourceId });
  const dimension = read.string(input, 'ScalableDimension');
  if (dimension !== 'ecs:service:DesiredCount') throw new AutoScalingEmulatorError('VALIDATION', `ScalableDimension: expected ecs:service:DesiredCount, received ${dimension}`, { dimension });
  return resourceId;
}

/** The Application Auto Scaling operations the emulator serves. */
export function autoScalingOperations(state: ScalingState): Record<string, JsonOperation> {
  return {
    RegisterScalableTarget: (input) => {
      const resourceId = ecsTarget(input);
      const target = state.register(resourceId, read.optionalInteger(input, 'MinCapacity', 0), read.optionalInteger(input, 'MaxCapacity', 0), read.optionalString(input, 'RoleARN'));
      return { ScalableTargetARN: target.scalableTargetArn };
    },
    DeregisterScalableTarget: (input) => {
      state.deregister(ecsTarget(input));
      return {};
    },
    DeleteScalingPolicy: (input) => {
      state.deletePolicy(ecsTarget(input), read.string(input, 'PolicyName'));
      return {};
    },
    DescribeScalableTargets: (input) => {
      const namespace = read.string(input, 'ServiceNamespace');
      const ids = read.optionalStrings(input, 'ResourceIds');
      const targets = namespace !== 'ecs' ? [] : [...state.targets.values()].filter((t) => !ids || ids.includes(t.resourceId));
      return { ScalableTargets: targets.map(targetView) };
    },
    PutScalingPolicy: (input) => {
      const resourceId = ecsTarget(input);
      const policyType = read.string(input, 'PolicyType', 'StepScaling');
      if (policyType !== 'TargetTrackingScaling') throw new AutoScalingEmulatorError('VALIDATION', `PolicyType: only TargetTrackingScaling is emulated, received ${policyType}`, { policyType });
      const config = read.optionalObject(input, 'TargetTrackingScalingPolicyConfiguration');
      if (!config) throw new AutoScalingEmulatorError('VALIDATION', 'TargetTrackingScalingPolicyConfiguration is required for TargetTrackingScaling', { resourceId });
      const spec = read.optionalObject(config, 'PredefinedMetricSpecification') ?? {};
      const metric = read.string(spec, 'PredefinedMetricType') as PredefinedMetric;
      if (!METRICS.includes(metric)) throw new AutoScalingEmulatorError('VALIDATION', `PredefinedMetricType: expected one of ${METRICS.join(', ')}, received ${metric}`, { metric });
      const targetValue = read.optionalNumber(config, 'TargetValue');
      if (targetValue === undefined || targetValue <= 0) throw new AutoScalingEmulatorError('VALIDATION', `TargetValue: expected a number > 0, received ${String(targetValue)}`, { targetValue });
      const policy = state.putPolicy({
        policyName: read.string(input, 'PolicyName'), resourceId, metric, targetValue, configuration: config,
        scaleOutCooldownMs: (read.optionalInteger(config, 'ScaleOutCooldown', 0) ?? DEFAULT_COOLDOWN_SECONDS) * 1000,
        scaleInCooldownMs: (read.optionalInteger(config, 'ScaleInCooldown', 0) ?? DEFAULT_COOLDOWN_SECONDS) * 1000,
        disableScaleIn: read.optionalBoolean(config, 'DisableScaleIn') ?? false,
      });
      return { PolicyARN: policy.policyArn, Alarms: [] };
    },
    DescribeScalingPolicies: (input) => {
      read.string(input, 'ServiceNamespace');
      const resourceId = read.optionalString(input, 'ResourceId');
      const policies = [...state.policies.values()].filter((p) => resourceId === undefined || p.resourceId === resourceId);
      return { ScalingPolicies: policies.map(policyView) };
    },
  };
}

function targetView(target: ScalableTargetRecord): Record<string, unknown> {
  return {
    ServiceNamespace: 'ecs', ResourceId: target.resourceId, ScalableDimension: 'ecs:service:DesiredCount',
    MinCapacity: target.minCapacity, MaxCapacity: target.maxCapacity, RoleARN: target.roleArn,
    CreationTime: target.createdAt / 1000, ScalableTargetARN: target.scalableTargetArn,
    SuspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false },
  };
}

function policyView(policy: PolicyRecord): Record<string, unknown> {
  return {
    PolicyARN: policy.policyArn, PolicyName: policy.policyName, ServiceNamespace: 'ecs', ResourceId: policy.resourceId,
    ScalableDimension: 'ecs:service:DesiredCount', PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: policy.configuration, Alarms: [], CreationTime: policy.createdAt / 1000,
  };
}
