import type { Cloud } from '../../../local/cloud';

/**
 * Creates a change set of `body` for the stack, executes it and waits until the local CloudFormation is done;
 * resolves the stack as it is then.
 *
 * @example
 * const stack = await deployTemplate(cloud, 'app', { Resources: {} }, 'CREATE', 'create');
 */
export async function deployTemplate(cloud: Cloud, stackName: string, body: object, type: 'CREATE' | 'UPDATE', changeSetName: string): Promise<ReturnType<Cloud['cloudformation']['stack']>> {
  const cs = await cloud.cloudformation.createChangeSet({ StackName: stackName, ChangeSetName: changeSetName, ChangeSetType: type, TemplateBody: JSON.stringify(body), Parameters: [], Capabilities: [], Tags: [] });
  cloud.cloudformation.executeChangeSet(cs.id);
  await cloud.cloudformation.settled();
  return cloud.cloudformation.stack(stackName);
}
