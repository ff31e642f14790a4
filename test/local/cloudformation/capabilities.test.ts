import { checkCapabilities, requiredCapabilities } from '../../../local/cloudformation/capabilities';

// CreateChangeSet's `Capabilities` (API reference): IAM resources need CAPABILITY_IAM, IAM resources with custom
// names need CAPABILITY_NAMED_IAM; without it, InsufficientCapabilities.

const role = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } };
const namedRole = { Type: 'AWS::IAM::Role', Properties: { RoleName: 'deploy', AssumeRolePolicyDocument: {} } };
const policy = { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', PolicyDocument: {} } };
const topic = { Type: 'AWS::SNS::Topic', Properties: { TopicName: 't' } };

describe('requiredCapabilities', () => {
  it.each<[string, Record<string, { Type: string; Properties?: Record<string, unknown> }>, ReturnType<typeof requiredCapabilities>]>([
    ['no IAM resource', { T: topic }, { capabilities: [] }],
    ['an IAM role without a name', { R: role, T: topic }, { capabilities: ['CAPABILITY_IAM'], reason: 'The following resource(s) require capabilities: [AWS::IAM::Role]' }],
    ['a named role among unnamed IAM resources (types sorted, once each)', { R: role, N: namedRole, P: policy }, { capabilities: ['CAPABILITY_NAMED_IAM'], reason: 'The following resource(s) require capabilities: [AWS::IAM::Policy, AWS::IAM::Role]' }],
    ['a policy name is not a custom resource name', { P: policy }, { capabilities: ['CAPABILITY_IAM'], reason: 'The following resource(s) require capabilities: [AWS::IAM::Policy]' }],
  ])('%s', (_name, Resources, expected) => {
    expect(requiredCapabilities({ Resources })).toEqual(expected);
  });
});

describe('checkCapabilities', () => {
  it.each<[string, Record<string, { Type: string; Properties?: Record<string, unknown> }>, string[], string | undefined]>([
    ['no IAM resource, nothing acknowledged', { T: topic }, [], undefined],
    ['an unnamed role, nothing acknowledged', { R: role }, [], 'Requires capabilities : [CAPABILITY_IAM]'],
    ['an unnamed role, CAPABILITY_IAM', { R: role }, ['CAPABILITY_IAM'], undefined],
    ['an unnamed role, CAPABILITY_NAMED_IAM', { R: role }, ['CAPABILITY_NAMED_IAM'], undefined],
    ['a named role, CAPABILITY_IAM only', { R: namedRole }, ['CAPABILITY_IAM'], 'Requires capabilities : [CAPABILITY_NAMED_IAM]'],
    ['a named role, what the CDK CLI acknowledges', { R: namedRole }, ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'], undefined],
  ])('%s', (_name, Resources, given, refused) => {
    let thrown: unknown;
    try { checkCapabilities({ Resources }, given); } catch (error) { thrown = error; }
    expect(thrown).toEqual(refused === undefined ? undefined : expect.objectContaining({ code: 'InsufficientCapabilitiesException', status: 400, message: refused }));
  });
});
