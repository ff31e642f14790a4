import { buildImageEnvironment } from '../../../local/emulator';
import { localValidationSettings, provisionParameters } from '../../../local/environment-parameters';
import type { DeploymentResources } from '../../../local/provision';
import { resourceNames } from '../../../local/provision';
import { readEnvironmentParameters } from '../../../shared/environment';
import { PLATFORM_VARIABLES } from '../../../shared/wicked-config';

describe('the emulator writes /wicked/<env>/ as the stack does', () => {
  const resources: DeploymentResources = {
    ...resourceNames('qa'), topicArn: 'arn:aws:sns:us-east-1:000000000000:wicked-qa-notifications',
    dynamicData: { fileSystemId: 'fs-1', arn: 'arn:fs', path: '/tmp/fs' }, targetRepositoryUri: '127.0.0.1:1/portal-api', baseImage: '127.0.0.1:1/docker-hub/haufelexware/wicked.api:stand-in',
  };

  it('writes the validation settings its build-image gets: node-env, platform-variables (StringList), strict-validation', () => {
    // Prepare
    const puts: { name: string; value: string; type?: string }[] = [];
    // Act
    provisionParameters({ put: (request) => { puts.push(request); return undefined as never; } }, resources);
    // Assess
    const read = readEnvironmentParameters('qa', puts.map((p) => ({ Name: p.name, Value: p.value })));
    expect(read.missing).toEqual([]);
    const env = buildImageEnvironment(resources);
    expect(read.found).toMatchObject({ nodeEnv: 'qa', platformVariables: env.WICKED_PLATFORM_VARIABLES!.split(','), strictValidation: env.WICKED_STRICT_VALIDATION });
    expect(read.found.platformVariables).toEqual([...PLATFORM_VARIABLES]);
    expect(puts.find((p) => p.name === '/wicked/qa/platform-variables')).toMatchObject({ type: 'StringList' });
    // The one build-image of the emulator serves every environment's keys: NODE_ENV comes from the key, which is what node-env says.
    expect(env.WICKED_NODE_ENV).toBeUndefined();
    expect(localValidationSettings(resources).nodeEnv).toBe('qa');
  });
});
