import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CliError, ExitCode } from './output';

/** Connection options every AWS-facing command accepts. */
export interface AwsOptions {
  /** One endpoint for every service (an emulator behind one port); overrides `AWS_ENDPOINT_URL*`. */
  readonly endpoint?: string;
  /** Region; the SDK reads `AWS_REGION` / the profile when absent. */
  readonly region?: string;
}

/** The client options the SDK constructors get, decided from the CLI options and the environment. */
export interface ClientSettings {
  readonly endpoint?: string;
  readonly region?: string;
  /** Path-style S3 addressing: needed by emulators (bucket names are not DNS names there). */
  readonly forcePathStyle: boolean;
}

/**
 * Decides client settings, purely. Without `--endpoint` the SDK itself reads
 * `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`, so nothing is passed; S3
 * switches to path-style addressing whenever any custom endpoint is in use.
 *
 * @example
 * clientSettings({ endpoint: 'http://127.0.0.1:4566' }, {}) // { endpoint: 'http://127.0.0.1:4566', forcePathStyle: true }
 */
export function clientSettings(options: AwsOptions, env: NodeJS.ProcessEnv): ClientSettings {
  if (options.endpoint !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(options.endpoint)) {
    throw new CliError(`--endpoint: received ${options.endpoint}, expected http(s)://HOST[:PORT]`, ExitCode.InvalidInput);
  }
  const custom = options.endpoint !== undefined || Boolean(env.AWS_ENDPOINT_URL) || Boolean(env.AWS_ENDPOINT_URL_S3);
  return {
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
    forcePathStyle: custom,
  };
}

/** Lazily built SDK clients of one CLI run; `destroy` closes the ones that were built. */
export interface AwsClients {
  s3(): Promise<S3Client>;
  dynamo(): Promise<DynamoDBDocumentClient>;
  events(): Promise<EventBridgeClient>;
  ecr(): Promise<ECRClient>;
  ecs(): Promise<ECSClient>;
  /** Parameter Store, where `--env` finds an environment's resources (`/wicked/<env>/`). */
  ssm(): Promise<SSMClient>;
  /** STS, built only when an error message needs the account (GetCallerIdentity); `AWS_ENDPOINT_URL_STS` applies. */
  sts(): Promise<STSClient>;
  destroy(): void;
}

/**
 * Creates the clients on first use (the SDK modules are loaded then, so
 * `wickedctl --help` stays fast).
 *
 * @example
 * const clients = createAwsClients({ endpoint: 'http://127.0.0.1:4566' });
 * try { await (await clients.s3()).send(...); } finally { clients.destroy(); }
 */
export function createAwsClients(options: AwsOptions, env: NodeJS.ProcessEnv = process.env): AwsClients {
  const settings = clientSettings(options, env);
  const base = { ...(settings.endpoint ? { endpoint: settings.endpoint } : {}), ...(settings.region ? { region: settings.region } : {}) };
  const built: { destroy(): void }[] = [];
  const once = <T extends { destroy(): void }>(make: () => Promise<T>): (() => Promise<T>) => {
    let client: Promise<T> | undefined;
    return () => (client ??= make().then((made) => { built.push(made); return made; }));
  };
  return {
    s3: once(async () => new (await import('@aws-sdk/client-s3')).S3Client({ ...base, forcePathStyle: settings.forcePathStyle })),
    dynamo: once(async () => {
      const { DynamoDBClient: Client } = await import('@aws-sdk/client-dynamodb');
      const { DynamoDBDocumentClient: Document } = await import('@aws-sdk/lib-dynamodb');
      const raw: DynamoDBClient = new Client(base);
      built.push(raw);
      return Document.from(raw, { marshallOptions: { removeUndefinedValues: true } });
    }),
    events: once(async () => new (await import('@aws-sdk/client-eventbridge')).EventBridgeClient(base)),
    ecr: once(async () => new (await import('@aws-sdk/client-ecr')).ECRClient(base)),
    ecs: once(async () => new (await import('@aws-sdk/client-ecs')).ECSClient(base)),
    ssm: once(async () => new (await import('@aws-sdk/client-ssm')).SSMClient(base)),
    sts: once(async () => new (await import('@aws-sdk/client-sts')).STSClient(base)),
    destroy: () => { for (const client of built.splice(0)) client.destroy(); },
  };
}

/**
 * Checks an environment name as the control plane spells it.
 *
 * @example
 * checkEnvName('--env', 'prod') // 'prod'
 */
export function checkEnvName(flag: string, value: string): string {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(value)) throw new CliError(`${flag}: received ${JSON.stringify(value)}, expected a lowercase name such as dev or prod`, ExitCode.InvalidInput);
  return value;
}
