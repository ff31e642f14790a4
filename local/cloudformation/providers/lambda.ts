import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AsyncInvoker } from '../../lambda/async-invoke';
import type { FunctionConfig, LocalFunctions } from '../../lambda/functions';
import type { Clock } from '../../kernel/clock';
import type { AwaitedResponse } from '../../lambda/responses';
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
  /** Asynchronous invocation (rules and schedules), with the functions' retry and failure settings. */
  readonly async: AsyncInvoker;
  readonly codeRoot: string;
  /** What a function's handler PUT to its response URL, once it did. */
  awaitResponse(requestId: string): AwaitedResponse;
  /** The emulated clock: a custom resource's ServiceTimeout runs on it. */
  readonly clock: Pick<Clock, 'schedule'>;
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
 * the Scheduler deliver to it by name. `ReservedConcurrentExecutions` bounds
 * its asynchronous executions (see {@link AsyncInvoker.setReservedConcurrency}).
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
    const reserved = props.ReservedConcurrentExecutions === undefined ? undefined : Number(props.ReservedConcurrentExecutions);
    // Checked before the function is deployed: a reservation Lambda refuses fails the resource and leaves nothing behind.
    const previousReservation = lambda.async.reservedConcurrency(name);
    lambda.async.setReservedConcurrency(name, reserved);
    try {
      await lambda.functions.deploy(config);
    } catch (error) {
      lambda.async.setReservedConcurrency(name, previousReservation);
      throw error;
    }
    const deadLetter = (props.DeadLetterConfig as { TargetArn?: unknown } | undefined)?.TargetArn;
    if (deadLetter !== undefined && typeof deadLetter !== 'string') throw new Error(`DeadLetterConfig.TargetArn must be a queue or topic ARN; received ${JSON.stringify(deadLetter)}`);
    lambda.async.configure(name, { deadLetterArn: deadLetter });
    return { physicalId: name, attributes: { Arn: arn } };
  };
  return {
    emulated: true,
    nameConflict: { name: 'FunctionName', existing: async (name) => (lambda.functions.get(name) ? name : undefined) },
    create: async (props, context) => {
      const name = typeof props.FunctionName === 'string' ? props.FunctionName : generatedName(context, { maxLength: 64 });
      const result = await deploy(name, props, context);
      // Rules and schedules invoke Lambda asynchronously: the call only queues the event; Lambda retries function errors.
      links.bus.registerTarget(name, (event) => lambda.async.invoke(name, event));
      links.scheduler.registerFunction(name, (payload) => lambda.async.invoke(name, payload));
      return result;
    },
    update: async (props, previous, context) => {
      if (props.FunctionName !== previous.properties.FunctionName) return lambdaFunctionProvider(links, lambda).create(props, context);
      return deploy(previous.physicalId, props, context);
    },
    delete: async (resource) => {
      lambda.functions.remove(resource.physicalId);
      lambda.async.setReservedConcurrency(resource.physicalId, undefined);
      links.bus.unregisterTarget(resource.physicalId);
    },
  };
}

/**
 * AWS::Lambda::EventInvokeConfig (Ref: a generated id): the function's
 * asynchronous retries, event age and destinations ("AWS::Lambda::EventInvokeConfig",
 * CloudFormation User Guide). Only `$LATEST` is emulated: the emulator runs no versions or aliases.
 */
export function eventInvokeConfigProvider(lambda: LambdaLinks): ResourceProvider {
  const apply = (props: Props, logicalId: string): string => {
    const name = String(props.FunctionName ?? '');
    const fn = lambdaFunctionName(name) ?? name;
    if (!lambda.functions.get(fn)) throw new Error(`FunctionName ${JSON.stringify(name)} names no deployed function`);
    if (props.Qualifier !== '$LATEST') throw new Error(`Qualifier ${JSON.stringify(props.Qualifier)} is not emulated; the emulator runs $LATEST only (no versions or aliases)`);
    const retries = props.MaximumRetryAttempts === undefined ? undefined : Number(props.MaximumRetryAttempts);
    if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0 && retries <= 2)) throw new Error(`MaximumRetryAttempts must be an integer from 0 to 2; received ${JSON.stringify(props.MaximumRetryAttempts)}`);
    const age = props.MaximumEventAgeInSeconds === undefined ? undefined : Number(props.MaximumEventAgeInSeconds);
    if (age !== undefined && !(Number.isInteger(age) && age >= 60 && age <= 21_600)) throw new Error(`MaximumEventAgeInSeconds must be an integer from 60 to 21600; received ${JSON.stringify(props.MaximumEventAgeInSeconds)}`);
    const destinations = (props.DestinationConfig ?? {}) as { OnFailure?: { Destination?: unknown }; OnSuccess?: { Destination?: unknown } };
    for (const [key, value] of Object.entries(destinations)) {
      if (key !== 'OnFailure' && key !== 'OnSuccess') throw new Error(`DestinationConfig.${key} is not understood; expected OnFailure or OnSuccess`);
      if (typeof (value as { Destination?: unknown } | undefined)?.Destination !== 'string') throw new Error(`DestinationConfig.${key}.Destination must be an ARN; received ${JSON.stringify(value)}`);
    }
    lambda.async.configure(fn, {
      maximumRetryAttempts: retries, maximumEventAgeSeconds: age,
      onFailure: destinations.OnFailure?.Destination as string | undefined, onSuccess: destinations.OnSuccess?.Destination as string | undefined,
    });
    return `${fn}|${logicalId}`;
  };
  return {
    emulated: true,
    create: async (props, context) => ({ physicalId: apply(props, context.logicalId), attributes: {} }),
    update: async (props, previous, context) => {
      lambda.async.removeInvokeConfig(previous.physicalId.split('|')[0]!);
      return { physicalId: apply(props, context.logicalId), attributes: {} };
    },
    delete: async (resource) => { lambda.async.removeInvokeConfig(resource.physicalId.split('|')[0]!); },
  };
}

/** How long CloudFormation waits for a custom resource's response by default: an hour (`ServiceTimeout`). */
export const DEFAULT_SERVICE_TIMEOUT_SECONDS = 3600;

/** A custom resource's `ServiceTimeout` in seconds: an integer from 1 to 3600 (a string in the template), 3600 when absent. */
export function serviceTimeoutSeconds(value: unknown): number {
  if (value === undefined) return DEFAULT_SERVICE_TIMEOUT_SECONDS;
  const seconds = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > DEFAULT_SERVICE_TIMEOUT_SECONDS) {
    throw new Error(`ServiceTimeout must be an integer from 1 to ${DEFAULT_SERVICE_TIMEOUT_SECONDS} (seconds); received ${JSON.stringify(value)}`);
  }
  return seconds;
}

/**
 * Custom resources (`Custom::*`, AWS::CloudFormation::CustomResource) backed by
 * a Lambda function: the request CloudFormation sends (RequestType, ResponseURL,
 * ResourceProperties, OldResourceProperties, PhysicalResourceId ...) and the
 * response the handler PUTs back ("Custom resource request objects" and
 * "response objects", CloudFormation User Guide). Data keys become GetAtt attributes.
 *
 * CloudFormation invokes the function asynchronously ("Using Lambda with
 * CloudFormation", AWS Lambda Developer Guide), so the invocation goes
 * through Lambda's asynchronous queue here too: it counts against the
 * account's concurrency, and a function error is retried by Lambda (after
 * one minute, then two). Only the response ends the wait: a handler that
 * never answers fails the resource once `ServiceTimeout` (1 to 3600
 * seconds, default 3600) passed on the emulated clock and no attempt runs
 * (an attempt takes wall time: at a fast clock the deadline could otherwise
 * fall inside a handler's cold start), with CloudFormation's message naming
 * the request id.
 */
export function customResourceProvider(lambda: Pick<LambdaLinks, 'async' | 'awaitResponse' | 'clock'>): ResourceProvider {
  const send = async (requestType: 'Create' | 'Update' | 'Delete', props: Props, context: ProviderContext, previous?: ExistingResource): Promise<ResourceResult> => {
    const token = String(props.ServiceToken ?? '');
    const fn = lambdaFunctionName(token);
    if (!fn) throw new Error(`ServiceToken ${JSON.stringify(token)} is not a Lambda function ARN; the emulator runs Lambda-backed custom resources only`);
    const timeoutMs = serviceTimeoutSeconds(props.ServiceTimeout) * 1000;
    const requestId = randomUUID();
    const request = {
      RequestType: requestType, ServiceToken: token,
      ResponseURL: `https://${RESPONSE_HOST}/${encodeURIComponent(`${context.stackId}|${context.logicalId}`)}/${requestId}`,
      StackId: context.stackId, RequestId: requestId, LogicalResourceId: context.logicalId, ResourceType: context.resourceType,
      ResourceProperties: props,
      ...(previous ? { PhysicalResourceId: previous.physicalId } : {}),
      ...(requestType === 'Update' && previous ? { OldResourceProperties: previous.properties } : {}),
    };
    const awaited = lambda.awaitResponse(requestId);
    let cancelTimeout = (): void => undefined;
    try {
      // Only a function that does not exist fails the call itself (ResourceNotFoundException).
      const invocation = lambda.async.invoke(fn, request);
      // The deadline is emulated time, the handler's own run wall time: at a fast clock a deadline that falls within
      // an attempt (or its wait for an execution) is met once the attempt ended without an answer.
      const timedOut = new Promise<undefined>((resolve) => {
        cancelTimeout = lambda.clock.schedule(timeoutMs, () => { void lambda.async.betweenAttempts(invocation.requestId).then(() => resolve(undefined)); });
      });
      const response = await Promise.race([awaited.response, timedOut]);
      if (!response) throw new Error(`CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${requestId}].`);
      if (response.Status === 'FAILED') throw new Error(response.Reason ?? `custom resource handler ${fn} answered FAILED without a Reason`);
      const physicalId = response.PhysicalResourceId ?? previous?.physicalId;
      if (!physicalId) throw new Error(`custom resource handler ${fn} answered SUCCESS without a PhysicalResourceId`);
      return { physicalId, attributes: response.Data ?? {} };
    } finally {
      cancelTimeout();
      awaited.cancel();
    }
  };
  return {
    emulated: true,
    create: (props, context) => send('Create', props, context),
    update: (props, previous, context) => send('Update', props, context, previous),
    delete: async (resource, context) => { await send('Delete', resource.properties, context, resource); },
  };
}
