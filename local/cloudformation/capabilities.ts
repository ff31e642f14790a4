import { CfnApiError } from './errors';
import type { Template } from './template';

// Capabilities as the CreateChangeSet API reference's `Capabilities` parameter defines them
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html): a template with IAM
// resources needs CAPABILITY_IAM, one with IAM resources that have custom names needs CAPABILITY_NAMED_IAM, and
// without it CloudFormation answers InsufficientCapabilities.

/** The IAM resource types that need a capability, with the property that gives each a custom name. */
const IAM_RESOURCES: Readonly<Record<string, string | undefined>> = {
  'AWS::IAM::AccessKey': undefined,
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::Policy': undefined,
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::UserToGroupAddition': undefined,
};

/** What a template requires: the capability to acknowledge, and the reason ValidateTemplate and GetTemplateSummary give. */
export interface RequiredCapabilities {
  readonly capabilities: readonly ('CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM')[];
  /** `The following resource(s) require capabilities: [AWS::IAM::Role]`: the resource types, sorted. */
  readonly reason?: string;
}

/**
 * The capability a template requires, from its IAM resources: CAPABILITY_NAMED_IAM when one of them has a custom
 * name, else CAPABILITY_IAM; none without IAM resources.
 *
 * @example
 * requiredCapabilities({ Resources: { R: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'r' } } } })
 * // { capabilities: ['CAPABILITY_NAMED_IAM'], reason: 'The following resource(s) require capabilities: [AWS::IAM::Role]' }
 */
export function requiredCapabilities(template: Pick<Template, 'Resources'>): RequiredCapabilities {
  const iam = Object.values(template.Resources).filter((resource) => resource.Type in IAM_RESOURCES);
  if (iam.length === 0) return { capabilities: [] };
  const named = iam.some((resource) => {
    const nameProperty = IAM_RESOURCES[resource.Type];
    return nameProperty !== undefined && resource.Properties?.[nameProperty] !== undefined;
  });
  const types = [...new Set(iam.map((resource) => resource.Type))].sort();
  return { capabilities: [named ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM'], reason: `The following resource(s) require capabilities: [${types.join(', ')}]` };
}

/**
 * Refuses a change set whose template needs a capability the caller did not acknowledge, with the
 * InsufficientCapabilitiesException CloudFormation answers (`Requires capabilities : [CAPABILITY_IAM]`).
 * CAPABILITY_NAMED_IAM also covers IAM resources without custom names.
 */
export function checkCapabilities(template: Pick<Template, 'Resources'>, given: readonly string[]): void {
  const [needed] = requiredCapabilities(template).capabilities;
  if (needed === undefined || given.includes(needed) || given.includes('CAPABILITY_NAMED_IAM')) return;
  throw new CfnApiError('InsufficientCapabilitiesException', `Requires capabilities : [${needed}]`);
}
