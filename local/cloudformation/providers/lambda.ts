import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FunctionConfig, LocalFunctions } from '../../lambda/functions';
import type { CustomResourceResponse } from '../../lambda/responses';
import { RESPONSE_HOST } from '../../lambda/responses';
import { unzipTo } from '../../lambda/unzip';
import type { EmulatorLinks } from './links';
import { CLIENT_DEFAULTS } from './links';
import { lambdaFunctionName } from './messaging';
import type { ExistingResource, ProviderContext, ResourceProvider, ResourceResult } from './provider';
import { generatedName } from './provider';

type Props = Record<string, unknown>;

/** What the Lambda providers need besides the services. */
export interface LambdaLinks {
  readonly functions: LocalFunctions;
  readonly codeRoot: string;
  /** Reads what a function's handler PUT to its response URL. */
  takeResponse(requestId: string): CustomResourceResponse | undefined;
}

async function packageBytes(links: EmulatorLinks, code: Props): Promise<Buffer> {
  if (typeof code.S3Bucket !== 'string' || typeof code.S3Key !== 'string') throw new Error(`Code must name S3Bucket and S3Key (or ZipFile); received ${JSON.stringify(code)}`);
  const s3 = new S3Client({ ...CLIENT_DEFAULTS, endpoint: links.endpoints.s3, forcePathStyle: true });
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: code.S3Bucket, Key: code.S3Key, ...(typeof code.S3ObjectVersion === 'string' ? { VersionId: code.S3ObjectVersion } : {}) }));
    return Buffer.from(await object.Body!.transformToByteArray());
  } catch (error) {
    throw new Error(`reading the deployment package s3://${code.S3Bucket}/${code.S3Key}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * AWS::Lambda::Function (Ref: the name; GetAtt Arn): the deployment package
 * from the asset bucket, unpacked, run by the local runtime with the
 * template's handler, runtime, timeout and environment; the default bus and
 * the Scheduler deliver to it by name.
 */
export function lambdaFunctionProvider(links: EmulatorLinks, lambda: LambdaLinks): ResourceProvider {
  const deploy = async (name: string, props: Props, context: ProviderContext): Promise<ResourceResult> => {
    const code = (props.Code ?? {}) as Props;
    let dir: string;
    if (typeof code.ZipFile === 'string') {
      dir = join(lambda.codeRoot, name, createHash('sha256').update(code.ZipFile).digest('hex').slice(0, 16));
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'index.js'), code.ZipFile);
    } else {
      const bytes = await packageBytes(links, code);
      dir = join(lambda.codeRoot, name, createHash('sha256').update(bytes).digest('hex').slice(0, 16));
      await unzipTo(bytes, dir);
    }
    const arn = `arn:aws:lambda:${context.region}:${context.account}:function:${name}`;
    const variables = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables) ?? {};
    const config: FunctionConfig = {
      name, arn, codeDir: dir, handler: typeof props.Handler === 'string' ? props.Handler : 'index.handler',
      runtime: String(props.Runtime ?? ''), timeoutSeconds: Number(props.Timeout ?? 3), memoryMb: Number(props.MemorySize ?? 128),
      environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
    };
    await lambda.functions.deploy(config);
    return { physicalId: name, attributes: { Arn: arn } };
  };
  return {
    emulated: true,
    create: async (props, context) => {
      const name = typeof props.FunctionName === 'string' ? props.FunctionName : generatedName(context, { maxLength: 64 });
      const result = await deploy(name, props, context);
      links.bus.registerTarget(name, (event) => lambda.functions.invoke(name, event));
      links.scheduler.registerFunction(name, (payload) => lambda.functions.invoke(name, payload));
      return result;
    },
    update: async (props, previous, context) => {
      if (props.FunctionName !== previous.properties.FunctionName) return lambdaFunctionProvider(links, lambda).create(props, context);
      return deploy(previous.physicalId, props, context);
    },
    delete: async (resource) => {
      lambda.functions.remove(resource.physicalId);
      links.bus.unregisterTarget(resource.physicalId);
    },
  };
}

/**
 * Custom resources (`Custom::*`, AWS::CloudFormation::CustomResource) backed by
 * a Lambda function: the request CloudFormation sends (RequestType, ResponseURL,
 * ResourceProperties, OldResourceProperties, PhysicalResourceId ...) and the
 * response the handler PUTs back ("Custom resource request objects" and
 * "response objects", CloudFormation User Guide). Data keys become GetAtt attributes.
 */
export function customResourceProvider(lambda: LambdaLinks): ResourceProvider {
  const send = async (requestType: 'Create' | 'Update' | 'Delete', props: Props, context: ProviderContext, previous?: ExistingResource): Promise<ResourceResult> => {
    const token = String(props.ServiceToken ?? '');
    const fn = lambdaFunctionName(token);
    if (!fn) throw new Error(`ServiceToken ${JSON.stringify(token)} is not a Lambda function ARN; the emulator runs Lambda-backed custom resources only`);
    const requestId = randomUUID();
    const request = {
      RequestType: requestType, ServiceToken: token,
      ResponseURL: `https://${RESPONSE_HOST}/${encodeURIComponent(`${context.stackId}|${context.logicalId}`)}/${requestId}`,
      StackId: context.stackId, RequestId: requestId, LogicalResourceId: context.logicalId, ResourceType: context.resourceType,
      ResourceProperties: props,
      ...(previous ? { PhysicalResourceId: previous.physicalId } : {}),
      ...(requestType === 'Update' && previous ? { OldResourceProperties: previous.properties } : {}),
    };
    let failure: string | undefined;
    try { await lambda.functions.invoke(fn, request); } catch (error) { failure = (error as Error).message; }
    const response = lambda.takeResponse(requestId);
    if (!response) throw new Error(`custom resource handler ${fn} sent no response to the ResponseURL${failure ? ` (${failure})` : ''}`);
    if (response.Status === 'FAILED') throw new Error(response.Reason ?? `custom resource handler ${fn} answered FAILED without a Reason`);
    const physicalId = response.PhysicalResourceId ?? previous?.physicalId;
    if (!physicalId) throw new Error(`custom resource handler ${fn} answered SUCCESS without a PhysicalResourceId`);
    return { physicalId, attributes: response.Data ?? {} };
  };
  return {
    emulated: true,
    create: (props, context) => send('Create', props, context),
    update: (props, previous, context) => send('Update', props, context, previous),
    delete: async (resource, context) => { await send('Delete', resource.properties, context, resource); },
  };
}
