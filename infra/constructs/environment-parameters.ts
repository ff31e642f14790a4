import { CfnOutput } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { EnvironmentParameters as Values } from '../../shared/environment';
import { PARAMETER_KEYS, parameterName, parameterPath } from '../../shared/environment';
import type { EnvironmentParameterName } from '../../shared/environment';

/** Props of {@link EnvironmentParameters}. */
export interface EnvironmentParametersProps {
  /** The environment; the parameters go under `/wicked/<envName>/`. */
  readonly envName: string;
  /** What the parameters name (CDK tokens are fine). */
  readonly values: Values;
}

/**
 * Writes what `wickedctl` needs to find an environment under one SSM
 * parameter path, `/wicked/<env>/` (config bucket, ledger table, event bus,
 * cluster, services, repository, backup vault, notification topic, and
 * what uploads are validated with: NODE_ENV, the variable names the
 * portal-api task definition sets, whether warnings are fatal), so `--env`
 * is all a command needs. Standard-tier String parameters: free,
 * not secret (names only; no value here is a credential).
 *
 * @example
 * new EnvironmentParameters(this, 'Parameters', { envName: 'dev', values: { configBucket: bucket.bucketName, ... } });
 */
export class EnvironmentParameters extends Construct {
  /** The path, with its trailing slash: `/wicked/<env>/`. */
  public readonly path: string;
  /** The parameters by what they name. */
  public readonly parameters: Readonly<Record<EnvironmentParameterName, ssm.StringParameter | ssm.StringListParameter>>;

  public constructor(scope: Construct, id: string, props: EnvironmentParametersProps) {
    super(scope, id);
    this.path = parameterPath(props.envName);
    const made: Partial<Record<EnvironmentParameterName, ssm.StringParameter | ssm.StringListParameter>> = {};
    for (const key of Object.keys(PARAMETER_KEYS) as EnvironmentParameterName[]) {
      const value = props.values[key];
      const common = { parameterName: parameterName(props.envName, key), description: `wicked ${props.envName}: ${key}, read by wickedctl --env ${props.envName}`, tier: ssm.ParameterTier.STANDARD };
      made[key] = typeof value === 'string'
        ? new ssm.StringParameter(this, PARAMETER_KEYS[key], { ...common, stringValue: value })
        : new ssm.StringListParameter(this, PARAMETER_KEYS[key], { ...common, stringListValue: [...value] });
    }
    this.parameters = made as Record<EnvironmentParameterName, ssm.StringParameter | ssm.StringListParameter>;
    new CfnOutput(this, 'ParameterPath', { value: this.path, description: `wickedctl reads this environment from here: wickedctl status --env ${props.envName}` });
  }
}

/**
 * Gives every CfnOutput under `scope` its construct id as logical id
 * (`ConfigBucketName`, not `PlatformConfigBucketNameA1B2C3D4`), so scripts
 * can read `aws cloudformation describe-stacks` outputs by a stable key.
 * Throws when two outputs would share a key.
 */
export function stabilizeOutputNames(scope: Construct): void {
  const seen = new Map<string, string>();
  for (const child of scope.node.findAll()) {
    if (!(child instanceof CfnOutput)) continue;
    const key = child.node.id;
    const other = seen.get(key);
    if (other !== undefined) throw new Error(`stable output names: ${child.node.path} and ${other} are both named ${key}; expected one output per name`);
    seen.set(key, child.node.path);
    child.overrideLogicalId(key);
  }
}
