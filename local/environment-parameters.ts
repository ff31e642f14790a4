import { environmentParameterEntries } from '../shared/environment';
import { PLATFORM_VARIABLES } from '../shared/wicked-config/variables';
import type { DeploymentResources } from './provision';
import type { SsmControl } from './ssm';

/** How the emulated environment validates uploads: what its build-image gets and its parameters say. */
export interface LocalValidationSettings {
  /** wicked's NODE_ENV: the environment's name, as the task definitions set it (`provisionServices`). */
  readonly nodeEnv: string;
  /** The variable names the emulated task definitions set: the platform's own (no Postgres here, no extras). */
  readonly platformVariables: readonly string[];
  readonly strictValidation: boolean;
}

/**
 * The emulated environment's validation settings: one source for the
 * build-image environment (`WICKED_*`) and the `/wicked/<env>/` parameters,
 * as the stack derives both from its validation props.
 *
 * @example
 * localValidationSettings({ env: 'dev' }) // { nodeEnv: 'dev', platformVariables: ['NODE_ENV', 'PORTAL_CONFIG_KEY'], strictValidation: false }
 */
export function localValidationSettings(r: Pick<DeploymentResources, 'env'>): LocalValidationSettings {
  return { nodeEnv: r.env, platformVariables: [...PLATFORM_VARIABLES], strictValidation: false };
}

/**
 * The build-image function's validation variables for the emulated
 * environment, as infra `validationLambdaEnvironment` sets them, except
 * `WICKED_NODE_ENV`: the emulator's one build-image also builds uploads of
 * other environments (keys `config/<env>/`), and without the variable it
 * validates each for its key's environment name, which is what each
 * environment's node-env parameter says.
 */
export function localValidationEnvironment(r: Pick<DeploymentResources, 'env'>): Record<string, string> {
  const settings = localValidationSettings(r);
  return { WICKED_PLATFORM_VARIABLES: settings.platformVariables.join(','), WICKED_STRICT_VALIDATION: String(settings.strictValidation) };
}

/**
 * Writes `/wicked/<env>/...` as the stack's EnvironmentParameters construct
 * does (infra/constructs/environment-parameters.ts), so `wickedctl --env`
 * finds the emulated environment exactly as it finds one on AWS.
 */
export function provisionParameters(ssm: Pick<SsmControl, 'put'>, r: DeploymentResources): void {
  const validation = localValidationSettings(r);
  const entries = environmentParameterEntries(r.env, {
    configBucket: r.configBucket, ledgerTable: r.ledgerTable, eventBus: 'default', cluster: r.cluster,
    services: [...r.singletons, r.gateway], repository: r.targetRepositoryUri, backupVault: r.backupVault,
    notificationTopic: r.topicArn, nodeEnv: validation.nodeEnv,
    platformVariables: validation.platformVariables, strictValidation: String(validation.strictValidation),
  });
  for (const entry of entries) ssm.put({ name: entry.name, value: entry.value, type: entry.type, overwrite: true, description: `wicked ${r.env}: read by wickedctl --env ${r.env}` });
}
