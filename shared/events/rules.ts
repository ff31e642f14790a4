import { configUploadedPattern } from './index';

/** Ids of the functions the control plane's rules target (one folder per function under `functions/`). */
export type TargetFunctionId = 'build-image';

/** The names of one deployment that rule patterns refer to. */
export interface DeploymentNames {
  /** Name of the config bucket. */
  readonly configBucket: string;
}

/** One EventBridge rule of the control plane, as data: the CDK stack and the local emulator both read it. */
export interface ControlPlaneRule {
  /** Stable id: construct id in the stack, rule name on the local bus. */
  readonly name: string;
  readonly description: string;
  /** The function that receives the matching events. */
  readonly target: TargetFunctionId;
  /** The event pattern for one deployment's names. */
  readonly pattern: (names: DeploymentNames) => Record<string, unknown>;
  /** Retries before an event is dead-lettered. */
  readonly retryAttempts: number;
  /** Oldest event still delivered, in seconds. */
  readonly maxEventAgeSeconds: number;
}

/**
 * The config upload rule: S3 "Object Created" under `config/` of the config
 * bucket starts a build.
 */
export const CONFIG_UPLOADED_RULE: ControlPlaneRule = {
  name: 'ConfigUploaded',
  description: 'Config archive uploaded: build the portal-api image',
  target: 'build-image',
  pattern: (names) => configUploadedPattern(names.configBucket),
  retryAttempts: 8,
  maxEventAgeSeconds: 6 * 3600,
};

/**
 * Every rule of the control plane. Only rules whose target function exists
 * are listed: a rule is added together with its handler.
 *
 * @example
 * for (const rule of CONTROL_PLANE_RULES) bus.addRule({ name: rule.name, pattern: rule.pattern(names), targetId: rule.target });
 */
export const CONTROL_PLANE_RULES: readonly ControlPlaneRule[] = [CONFIG_UPLOADED_RULE];
