import type { AttributeDefinition, CreateTableCommandInput, KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, DeleteBucketCommand, HeadBucketCommand, PutBucketNotificationConfigurationCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { ParameterNotFoundError } from '../../ssm/errors';
import type { EmulatorLinks } from './links';
import { CLIENT_DEFAULTS } from './links';
import type { ResourceProvider } from './provider';
import { found, generatedName, stringProperty, updateInPlaceUnless } from './provider';

type Props = Record<string, unknown>;

/** AWS::S3::Bucket: the bucket, its versioning and its EventBridge notifications; deleting needs it empty, as on AWS. */
export function s3BucketProvider(links: EmulatorLinks): ResourceProvider {
  const client = (): S3Client => new S3Client({ ...CLIENT_DEFAULTS, endpoint: links.endpoints.s3, forcePathStyle: true });
  const configure = async (s3: S3Client, name: string, props: Props): Promise<void> => {
    const versioning = (props.VersioningConfiguration as { Status?: string } | undefined)?.Status;
    if (versioning) await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: versioning as 'Enabled' | 'Suspended' } }));
    const notifications = (props.NotificationConfiguration ?? {}) as Record<string, unknown>;
    const other = Object.keys(notifications).filter((key) => key !== 'EventBridgeConfiguration');
    if (other.length) throw new Error(`NotificationConfiguration.${other[0]} is not emulated; the emulated S3 sends EventBridge notifications only`);
    const eventBridge = notifications.EventBridgeConfiguration;
    if (eventBridge) await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: name, NotificationConfiguration: { EventBridgeConfiguration: {} } }));
  };
  const attributes = (name: string, region: string) => ({
    Arn: `arn:aws:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com`, RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
    DualStackDomainName: `${name}.s3.dualstack.${region}.amazonaws.com`, WebsiteURL: `http://${name}.s3-website-${region}.amazonaws.com`,
  });
  return {
    emulated: true,
    nameConflict: {
      name: 'BucketName',
      existing: async (name) => {
        const s3 = client();
        try { return await found(() => s3.send(new HeadBucketCommand({ Bucket: name })), (error) => error.name === 'NotFound') ? name : undefined; } finally { s3.destroy(); }
      },
    },
    create: async (props, context) => {
      const name = typeof props.BucketName === 'string' ? props.BucketName : generatedName(context, { maxLength: 63, lowercase: true });
      const s3 = client();
      try {
        await s3.send(new CreateBucketCommand({ Bucket: name }));
        await configure(s3, name, props);
      } finally { s3.destroy(); }
      return { physicalId: name, attributes: attributes(name, context.region) };
    },
    update: async (props, previous, context) => {
      if (props.BucketName !== previous.properties.BucketName) return s3BucketProvider(links).create(props, context);
      const s3 = client();
      try { await configure(s3, previous.physicalId, props); } finally { s3.destroy(); }
      return { physicalId: previous.physicalId, attributes: attributes(previous.physicalId, context.region) };
    },
    delete: async (resource) => {
      const s3 = client();
      try { await s3.send(new DeleteBucketCommand({ Bucket: resource.physicalId })); } finally { s3.destroy(); }
    },
  };
}

/** AWS::DynamoDB::Table: CreateTable with the template's keys and billing; complete once ACTIVE, as CloudFormation waits. */
export function dynamoTableProvider(links: EmulatorLinks): ResourceProvider {
  const client = (): DynamoDBClient => new DynamoDBClient({ ...CLIENT_DEFAULTS, endpoint: links.endpoints.dynamodb });
  return {
    emulated: true,
    nameConflict: {
      name: 'TableName',
      existing: async (name) => {
        const dynamodb = client();
        try { return await found(() => dynamodb.send(new DescribeTableCommand({ TableName: name })), (error) => error.name === 'ResourceNotFoundException') ? name : undefined; } finally { dynamodb.destroy(); }
      },
    },
    create: async (props, context) => {
      const name = typeof props.TableName === 'string' ? props.TableName : generatedName(context, { maxLength: 255 });
      const input: CreateTableCommandInput = {
        TableName: name,
        AttributeDefinitions: props.AttributeDefinitions as AttributeDefinition[],
        KeySchema: props.KeySchema as KeySchemaElement[],
        BillingMode: (props.BillingMode as 'PAY_PER_REQUEST' | 'PROVISIONED' | undefined) ?? 'PROVISIONED',
        ...(props.ProvisionedThroughput ? { ProvisionedThroughput: props.ProvisionedThroughput as CreateTableCommandInput['ProvisionedThroughput'] } : {}),
        ...(props.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: props.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'] } : {}),
      };
      const dynamodb = client();
      try {
        await dynamodb.send(new CreateTableCommand(input));
        for (let i = 0; ; i += 1) {
          const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
          if (Table?.TableStatus === 'ACTIVE') return { physicalId: name, attributes: { Arn: Table.TableArn ?? `arn:aws:dynamodb:${context.region}:${context.account}:table/${name}`, StreamArn: Table.LatestStreamArn } };
          if (i > 500) throw new Error(`table ${name} is still ${Table?.TableStatus ?? 'missing'} after ${i} checks`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      } finally { dynamodb.destroy(); }
    },
    update: (props, previous, context) => updateInPlaceUnless(['TableName', 'KeySchema'], (p, c) => dynamoTableProvider(links).create(p, c))(props, previous, context),
    delete: async (resource) => {
      const dynamodb = client();
      try { await dynamodb.send(new DeleteTableCommand({ TableName: resource.physicalId })); } finally { dynamodb.destroy(); }
    },
  };
}

/**
 * AWS::ECR::Repository: the repository with its tag mutability and exclusion filters. No name conflict check at
 * CreateChangeSet: AWS::ECR::Repository is among the types "not supported for pre-deployment validation" (CloudFormation
 * User Guide, "Validate stack deployments", Resource limitations), so a retained repository of the same name fails the
 * resource when the change set runs (RepositoryAlreadyExistsException), as on AWS.
 */
export function ecrRepositoryProvider(links: EmulatorLinks): ResourceProvider {
  return {
    emulated: true,
    create: async (props, context) => {
      const name = typeof props.RepositoryName === 'string' ? props.RepositoryName : generatedName(context, { maxLength: 256, lowercase: true });
      const filters = (props.ImageTagMutabilityExclusionFilters as { ImageTagMutabilityExclusionFilterValue?: string }[] | undefined) ?? [];
      await links.ecr.createRepository(name, {
        ...(props.ImageTagMutability ? { imageTagMutability: props.ImageTagMutability as 'MUTABLE' } : {}),
        ...(filters.length ? { exclusionFilters: filters.map((f) => f.ImageTagMutabilityExclusionFilterValue ?? '') } : {}),
      });
      return { physicalId: name, attributes: { Arn: `arn:aws:ecr:${context.region}:${context.account}:repository/${name}`, RepositoryUri: `${context.account}.dkr.ecr.${context.region}.amazonaws.com/${name}` } };
    },
    update: (props, previous, context) => updateInPlaceUnless(['RepositoryName', 'EncryptionConfiguration'], (p, c) => ecrRepositoryProvider(links).create(p, c))(props, previous, context),
    // EmptyOnDelete deletes the images with the repository; without it a repository holding images fails to delete, as on AWS.
    delete: (resource) => links.ecr.deleteRepository(resource.physicalId, resource.properties.EmptyOnDelete === true || resource.properties.EmptyOnDelete === 'true'),
  };
}

/** AWS::SSM::Parameter: a String or StringList parameter in Parameter Store (Ref is its name). */
export function ssmParameterProvider(links: EmulatorLinks): ResourceProvider {
  const put = (name: string, props: Props, overwrite: boolean) => links.parameters.put({
    name, value: stringProperty(props, 'Value'), type: stringProperty(props, 'Type'), overwrite,
    ...(typeof props.Description === 'string' ? { description: props.Description } : {}),
    // Standard, Advanced or Intelligent-Tiering; Parameter Store checks it (local/ssm/parameters.ts).
    ...(typeof props.Tier === 'string' ? { tier: props.Tier } : {}),
    ...(typeof props.DataType === 'string' ? { dataType: props.DataType } : {}),
  });
  return {
    emulated: true,
    nameConflict: {
      name: 'Name',
      existing: async (name) => (await found(() => links.parameters.latest(name), (error) => error instanceof ParameterNotFoundError) ? name : undefined),
    },
    create: async (props, context) => {
      const name = typeof props.Name === 'string' ? props.Name : `CFN-${context.logicalId}-${generatedName(context).slice(-13)}`;
      put(name, props, false);
      return { physicalId: name, attributes: { Type: props.Type, Value: props.Value } };
    },
    update: async (props, previous, context) => {
      if (props.Name !== previous.properties.Name) return ssmParameterProvider(links).create(props, context);
      put(previous.physicalId, props, true);
      return { physicalId: previous.physicalId, attributes: { Type: props.Type, Value: props.Value } };
    },
    delete: async (resource) => { links.parameters.delete(resource.physicalId); },
  };
}

/**
 * AWS::ECR::PullThroughCacheRule (Ref: the repository prefix): a rule of the
 * emulated pull-through cache (`../../pull-through-cache.ts`), so that task
 * images under the prefix pull through it. The credentials secret is taken
 * as given (Secrets Manager is recorded, not emulated).
 */
export function pullThroughCacheRuleProvider(links: EmulatorLinks): ResourceProvider {
  const create: ResourceProvider['create'] = async (props) => {
    const prefix = stringProperty(props, 'EcrRepositoryPrefix');
    links.pullThrough.addRule({ prefix, upstreamRegistryUrl: stringProperty(props, 'UpstreamRegistryUrl') });
    return { physicalId: prefix };
  };
  return {
    emulated: true,
    // The rule's primary identifier is EcrRepositoryPrefix (the type's resource schema). `ruleFor` gives the first rule covering a
    // repository under the prefix: this prefix's own rule, unless a rule for a shorter prefix hides it (a missed conflict, never a false one).
    nameConflict: { name: 'EcrRepositoryPrefix', existing: async (prefix) => (links.pullThrough.ruleFor(`${prefix}/x`)?.prefix === prefix ? prefix : undefined) },
    create,
    update: async (props, previous, context) => {
      links.pullThrough.deleteRule(previous.physicalId);
      return create(props, context);
    },
    delete: async (resource) => { links.pullThrough.deleteRule(resource.physicalId); },
  };
}
