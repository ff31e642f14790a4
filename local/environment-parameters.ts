import { environmentParameterEntries } from '../shared/environment';
import type { DeploymentResources } from './provision';
import type { SsmControl } from './ssm';

/**
 * Writes `/wicked/<env>/...` as the stack's EnvironmentParameters construct
 * does (infra/constructs/environment-parameters.ts), so `wickedctl --env`
 * finds the emulated environment exactly as it finds one on AWS.
 */
export function provisionParameters(ssm: Pick<SsmControl, 'put'>, r: DeploymentResources): void {
  const entries = environmentParameterEntries(r.env, {
    configBucket: r.configBucket, ledgerTable: r.ledgerTable, eventBus: 'default', cluster: r.cluster,
    services: [...r.singletons, r.gateway], repository: r.targetRepositoryUri, backupVault: r.backupVault,
    notificationTopic: r.topicArn, nodeEnv: r.env,
  });
  for (const entry of entries) ssm.put({ name: entry.name, value: entry.value, type: entry.type, overwrite: true, description: `wicked ${r.env}: read by wickedctl --env ${r.env}` });
}
