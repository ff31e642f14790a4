import { TemplateError } from '../errors';
import type { EmulatorLinks } from './links';
import type { ResourceProvider } from './provider';
import { recordedProvider } from './recorded';
import { dynamoTableProvider, ecrRepositoryProvider, s3BucketProvider, ssmParameterProvider } from './storage';

export * from './links';
export * from './provider';
export { RECORDED_TYPES } from './recorded';

/** Extra providers by type, tried before the built-in ones (Lambda functions and custom resources need the function runtime). */
export type ProviderOverrides = Readonly<Record<string, ResourceProvider>>;

/**
 * The provider of each resource type: the emulated services for the types
 * they model, a recorder (realistic ids and attributes) for the rest of what
 * this app's templates hold, and for any other type a provider whose create
 * fails naming the logical id and the type.
 *
 * @example
 * const provider = providerRegistry(links);
 * await provider('AWS::S3::Bucket').create({ BucketName: 'b' }, context);
 */
export function providerRegistry(links: EmulatorLinks, overrides: ProviderOverrides = {}): (type: string) => ResourceProvider {
  const emulated: Record<string, ResourceProvider> = {
    'AWS::S3::Bucket': s3BucketProvider(links),
    'AWS::DynamoDB::Table': dynamoTableProvider(links),
    'AWS::ECR::Repository': ecrRepositoryProvider(links),
    'AWS::SSM::Parameter': ssmParameterProvider(links),
  };
  // Overrides are read at each lookup: the function runtime registers them once the servers listen.
  const custom = (type: string): ResourceProvider | undefined => (type.startsWith('Custom::') ? overrides['AWS::CloudFormation::CustomResource'] : undefined);
  return (type) => overrides[type] ?? emulated[type] ?? custom(type) ?? recordedProvider(type) ?? unsupported(type);
}

function unsupported(type: string): ResourceProvider {
  return {
    emulated: false,
    create: async (_props, context) => { throw new TemplateError(context.logicalId, 'Type', `resource type ${type} is neither emulated nor recorded by the local CloudFormation`); },
    delete: async () => undefined,
  };
}
