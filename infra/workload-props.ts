import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { InvalidPropError } from './errors';
import { checkObject, intBetween, isBoolean, isPlainObject, listOf, matches, type Rule } from './prop-checks';
import { BACKUP_DEFAULTS, checkBackup, type BackupProps, type ResolvedBackupProps } from './backup-props';
import { defaultSingletons, isWicked1OrLater } from './wicked-version';

export type { BackupProps, ResolvedBackupProps, VaultLockProps } from './backup-props';
export { DEFAULT_SINGLETONS, REDIS_PORT, defaultSingletons, isWicked1OrLater } from './wicked-version';

/** How Kong's (and wicked's) Postgres is provided. */
export type PostgresMode = 'none' | 'ephemeral' | 'persistent';

/** CPU units and memory (MiB) of a Fargate task. */
export interface TaskSize {
  /** CPU units: 256, 512, 1024, 2048 or 4096. */
  readonly cpu: number;
  /** Memory in MiB, one of the values Fargate allows for `cpu`. */
  readonly memory: number;
}

/** One group of Kong gateways: its own ECS service, target group, listener rule and scaling. */
export interface GatewayGroupProps {
  /** Group name, `^[a-z][a-z0-9-]{0,15}$`; the service is `kong-<name>`. */
  readonly name: string;
  /** @default 2 */
  readonly minTasks?: number;
  /** @default 6 */
  readonly maxTasks?: number;
  /** Target average CPU utilization. @default 60 */
  readonly cpuTargetPercent?: number;
  /** Target requests per task per minute (ALBRequestCountPerTarget). @default 1000 */
  readonly requestsPerTargetTarget?: number;
  /** @default 512 */
  readonly cpu?: number;
  /** @default 1024 */
  readonly memory?: number;
  /** Path patterns routed to this group (at most 5). Give these or `hostHeaders`. */
  readonly pathPatterns?: string[];
  /** Host headers routed to this group (at most 5). Give these or `pathPatterns`. */
  readonly hostHeaders?: string[];
}

/** A {@link GatewayGroupProps} with its defaults applied. */
export type ResolvedGatewayGroup = Required<Omit<GatewayGroupProps, 'pathPatterns' | 'hostHeaders'>> &
  Pick<GatewayGroupProps, 'pathPatterns' | 'hostHeaders'>;

/** Props of the workload: network, services, gateways, database, backups. Part of WickedPlatformProps. */
export interface WorkloadProps {
  /**
   * An existing VPC (construct API only: cdk.json cannot hold one, and the app never
   * looks VPCs up). Needs private subnets with egress in at least two AZs.
   *
   * @default - a new VPC: 2 AZs, public and private-with-egress subnets, flow logs
   */
  readonly vpc?: ec2.IVpc;
  /** NAT gateways of a new VPC (1 is cheaper, 2 survives an AZ outage). @default 1 */
  readonly natGateways?: number;
  /**
   * The wicked singletons to run, each as its own ECS service with exactly one task.
   * Must include `portal-api` and `portal-kong-adapter`; wicked 1.0 adds `portal-auth`.
   *
   * @default - {@link defaultSingletons} of the wicked version: the five of the deployment guide
   * for 0.x; with `portal-auth` (every login goes through it) from 1.0 on
   */
  readonly singletons?: string[];
  /**
   * Whether to run Redis as wicked's session store (an ECS service `redis`, reachable as
   * `redis.<namespace>:6379` by portal and portal-auth; portal-api gets the
   * `PORTAL_SESSIONSTORE_*` variables wicked's `globals.json` reads). wicked's Helm chart
   * deploys one by default (`redis.deployRedis`, `values.yaml`). Sessions are not persisted:
   * a Redis restart logs users out, as in the chart.
   *
   * @default - true from wicked 1.0 on, false for 0.x
   */
  readonly redisSessionStore?: boolean;
  /** Redis's Docker Hub image `repository:tag`, through the pull-through cache. @default 'library/redis:5-alpine' (wicked's Helm chart `values.yaml`) */
  readonly redisImage?: string;
  /**
   * Docker Hub repository of each stock wicked component (all but portal-api, whose image
   * is built into this stack's repository), pulled as `docker-hub/<repository>:<wickedVersion>`.
   *
   * @default - {@link WICKED_COMPONENTS}: `haufelexware/wicked.ui`, `.mailer`, `.kong-adapter`, `.chatbot`, `.auth`
   */
  readonly wickedImages?: Record<string, string>;
  /** Kong's Docker Hub image `repository:tag`, through the pull-through cache. @default 'library/kong:0.14.1' */
  readonly kongImage?: string;
  /** Host names the certificate covers and the platform answers on (outputs, docs); given with `certificateArn`. @default - none */
  readonly domainNames?: string[];
  /**
   * ACM certificate for `domainNames`: HTTPS on 443 with `ELBSecurityPolicy-TLS13-1-2-2021-06`
   * (TLS 1.3 and 1.2, forward-secret AES-GCM ciphers), HTTP on 80 redirected to it. Without one,
   * synth fails unless `allowPlainHttp` is true.
   *
   * @default - none
   */
  readonly certificateArn?: string;
  /**
   * Lets the internet-facing load balancer serve plain HTTP on 80 without a certificate
   * (a throw-away dev environment). Without it, an environment with no certificate is a synth error.
   *
   * @default false
   */
  readonly allowPlainHttp?: boolean;
  /** Task size per singleton. @default - 512/1024 for portal-api, 256/512 for the others */
  readonly taskSizes?: Record<string, TaskSize>;
  /** Kong gateway groups; each scales on its own. @default - one group `default` on `/*` */
  readonly gatewayGroups?: GatewayGroupProps[];
  /** Postgres on RDS. @default - `persistent` when resources are retained, else `ephemeral` */
  readonly postgres?: PostgresMode;
  /** Multi-AZ RDS instance. @default false */
  readonly postgresMultiAz?: boolean;
  /**
   * Any new value makes the next `cdk deploy` set Kong's and portal-api's database passwords
   * again from their secrets (`wicked-<env>/postgres-kong`, `wicked-<env>/postgres-portal-api`):
   * CloudFormation runs the users' resource only when its properties change, and an edit of a
   * secret changes none of them. See infra README, "Changing a database user's password".
   *
   * @default - none: the passwords are set when the users are created, and when the resource changes otherwise
   */
  readonly postgresPasswordsRevision?: string;
  /** AWS Backup plan of the EFS file system (and of RDS when persistent). @default - see {@link BACKUP_DEFAULTS} */
  readonly backup?: BackupProps;
}

/** {@link WorkloadProps} with defaults applied. */
export interface ResolvedWorkloadProps {
  /** See {@link WorkloadProps.vpc}. */
  readonly vpc?: ec2.IVpc;
  /** See {@link WorkloadProps.natGateways}. */
  readonly natGateways: number;
  /** See {@link WorkloadProps.singletons}. */
  readonly singletons: readonly string[];
  /** See {@link WorkloadProps.wickedImages}. */
  readonly wickedImages: Readonly<Record<string, string>>;
  /** See {@link WorkloadProps.kongImage}. */
  readonly kongImage: string;
  /** See {@link WorkloadProps.domainNames}. */
  readonly domainNames?: readonly string[];
  /** See {@link WorkloadProps.certificateArn}. */
  readonly certificateArn?: string;
  /** See {@link WorkloadProps.allowPlainHttp}. */
  readonly allowPlainHttp: boolean;
  /** See {@link WorkloadProps.redisSessionStore}. */
  readonly redisSessionStore: boolean;
  /** See {@link WorkloadProps.redisImage}. */
  readonly redisImage: string;
  /** See {@link WorkloadProps.taskSizes}. */
  readonly taskSizes: Readonly<Record<string, TaskSize>>;
  /** See {@link WorkloadProps.gatewayGroups}. */
  readonly gatewayGroups: readonly ResolvedGatewayGroup[];
  /** See {@link WorkloadProps.postgres}. */
  readonly postgres: PostgresMode;
  /** See {@link WorkloadProps.postgresMultiAz}. */
  readonly postgresMultiAz: boolean;
  /** See {@link WorkloadProps.postgresPasswordsRevision}. */
  readonly postgresPasswordsRevision?: string;
  /** See {@link WorkloadProps.backup}. */
  readonly backup: ResolvedBackupProps;
}

/** A wicked component: its default Docker Hub repository and the port it listens on. */
export interface WickedComponent {
  /** Docker Hub repository (for portal-api: the base image; the running image is built). */
  readonly repository: string;
  /** The port the component listens on. */
  readonly port: number;
}

/** The wicked components this stack can run, with wicked 1.0's image names and ports. */
export const WICKED_COMPONENTS: Readonly<Record<string, WickedComponent>> = {
  'portal-api': { repository: 'haufelexware/wicked.api', port: 3001 },
  portal: { repository: 'haufelexware/wicked.ui', port: 3000 },
  'portal-kong-adapter': { repository: 'haufelexware/wicked.kong-adapter', port: 3002 },
  'portal-mailer': { repository: 'haufelexware/wicked.mailer', port: 3003 },
  'portal-chatbot': { repository: 'haufelexware/wicked.chatbot', port: 3004 },
  'portal-auth': { repository: 'haufelexware/wicked.auth', port: 3010 },
};

/** The default gateway group: everything to one autoscaled Kong service. */
export const DEFAULT_GATEWAY_GROUP: ResolvedGatewayGroup = {
  name: 'default', minTasks: 2, maxTasks: 6, cpuTargetPercent: 60, requestsPerTargetTarget: 1000, cpu: 512, memory: 1024, pathPatterns: ['/*'],
};

/** The keys of {@link WorkloadProps}. */
export const WORKLOAD_PROP_KEYS: readonly (keyof WorkloadProps)[] = [
  'vpc', 'natGateways', 'singletons', 'redisSessionStore', 'redisImage', 'wickedImages', 'kongImage', 'domainNames', 'certificateArn', 'allowPlainHttp',
  'taskSizes', 'gatewayGroups', 'postgres', 'postgresMultiAz', 'postgresPasswordsRevision', 'backup',
];

const FARGATE_MEMORY: Readonly<Record<number, readonly [number, number, number]>> = {
  // cpu: [min, max, step] in MiB
  256: [512, 2048, 512], 512: [1024, 4096, 1024], 1024: [2048, 8192, 1024], 2048: [4096, 16384, 1024], 4096: [8192, 30720, 1024],
};

/**
 * Whether Fargate accepts this CPU/memory pair.
 *
 * @example
 * isFargateSize(256, 512) // true
 * isFargateSize(256, 4096) // false
 */
export function isFargateSize(cpu: unknown, memory: unknown): boolean {
  const range = typeof cpu === 'number' ? FARGATE_MEMORY[cpu] : undefined;
  if (range === undefined || typeof memory !== 'number') return false;
  const [min, max, step] = range;
  return memory >= min && memory <= max && (memory === 512 || memory % step === 0);
}

const FARGATE_EXPECTED = 'a Fargate size: cpu 256 (memory 512-2048), 512 (1024-4096), 1024 (2048-8192), 2048 (4096-16384) or 4096 (8192-30720)';
const DOCKER_HUB_REPO = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+$/;
const IMAGE_WITH_TAG = new RegExp(`${DOCKER_HUB_REPO.source.slice(0, -1)}:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`);
const HOST_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const PATH_PATTERN = /^\/[A-Za-z0-9_\-.$/~"'@:+*?&=]{0,127}$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;

const GROUP_RULES: Readonly<Record<keyof GatewayGroupProps, Rule>> = {
  name: { check: matches(/^[a-z][a-z0-9-]{0,15}$/), expected: 'a group name matching ^[a-z][a-z0-9-]{0,15}$' },
  minTasks: { check: intBetween(1, 100), expected: 'an integer from 1 to 100' },
  maxTasks: { check: intBetween(1, 100), expected: 'an integer from 1 to 100' },
  cpuTargetPercent: { check: intBetween(10, 90), expected: 'an integer from 10 to 90 (percent)' },
  requestsPerTargetTarget: { check: intBetween(1, 1_000_000), expected: 'an integer from 1 to 1000000 (requests per task per minute)' },
  cpu: { check: intBetween(256, 4096), expected: 'CPU units: 256, 512, 1024, 2048 or 4096' },
  memory: { check: intBetween(512, 30720), expected: 'memory in MiB from 512 to 30720' },
  pathPatterns: { check: listOf(matches(PATH_PATTERN), 5), expected: '1 to 5 distinct path patterns starting with "/"' },
  hostHeaders: { check: listOf(matches(HOST_NAME), 5), expected: '1 to 5 distinct lowercase host names' },
};

function checkGatewayGroup(value: unknown, index: number): ResolvedGatewayGroup {
  const where = `gatewayGroups[${index}]`;
  const given = checkObject(where, value, GROUP_RULES, ['name']) as unknown as GatewayGroupProps;
  if ((given.pathPatterns === undefined) === (given.hostHeaders === undefined)) {
    throw new InvalidPropError(where, value, 'exactly one of pathPatterns or hostHeaders');
  }
  const { pathPatterns: _p, ...defaults } = DEFAULT_GATEWAY_GROUP;
  const group: ResolvedGatewayGroup = { ...defaults, ...given };
  if (group.minTasks > group.maxTasks) {
    throw new InvalidPropError(`${where}.minTasks`, group.minTasks, `at most maxTasks (${group.maxTasks})`);
  }
  if (!isFargateSize(group.cpu, group.memory)) throw new InvalidPropError(`${where}.memory`, { cpu: group.cpu, memory: group.memory }, FARGATE_EXPECTED);
  return group;
}

function checkGatewayGroups(value: unknown): ResolvedGatewayGroup[] {
  if (value === undefined) return [DEFAULT_GATEWAY_GROUP];
  if (!Array.isArray(value) || value.length === 0 || value.length > 10) {
    throw new InvalidPropError('gatewayGroups', value, 'an array of 1 to 10 gateway groups');
  }
  const groups = value.map(checkGatewayGroup);
  const names = groups.map((g) => g.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new InvalidPropError('gatewayGroups', names, `distinct group names ("${duplicate}" appears twice)`);
  return groups;
}

function checkSingletons(value: unknown, wickedVersion: string): readonly string[] {
  if (value === undefined) return defaultSingletons(wickedVersion);
  const known = Object.keys(WICKED_COMPONENTS);
  if (!listOf((v) => typeof v === 'string' && known.includes(v), known.length)(value)) {
    throw new InvalidPropError('singletons', value, `distinct names out of ${known.join(', ')}`);
  }
  const list = value as string[];
  for (const needed of ['portal-api', 'portal-kong-adapter']) {
    if (!list.includes(needed)) throw new InvalidPropError('singletons', value, `a list that includes "${needed}"`);
  }
  return list;
}

function checkRecord<T>(prop: string, value: unknown, allowedKeys: readonly string[], rule: Rule): Record<string, T> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new InvalidPropError(prop, value, `an object keyed by ${allowedKeys.join(', ')}`);
  for (const [key, v] of Object.entries(value)) {
    if (!allowedKeys.includes(key)) throw new InvalidPropError(`${prop}.${key}`, key, `a key out of ${allowedKeys.join(', ')}`);
    if (!rule.check(v)) throw new InvalidPropError(`${prop}.${key}`, v, rule.expected);
  }
  return value as Record<string, T>;
}

function defaultTaskSizes(singletons: readonly string[]): Record<string, TaskSize> {
  return Object.fromEntries(singletons.map((s) => [s, s === 'portal-api' ? { cpu: 512, memory: 1024 } : { cpu: 256, memory: 512 }]));
}

const SCALAR_RULES: Readonly<Record<string, Rule>> = {
  natGateways: { check: intBetween(1, 2), expected: '1 or 2' },
  kongImage: { check: matches(IMAGE_WITH_TAG), expected: 'a Docker Hub image with a tag such as "library/kong:0.14.1"' },
  redisImage: { check: matches(IMAGE_WITH_TAG), expected: 'a Docker Hub image with a tag such as "library/redis:5-alpine"' },
  redisSessionStore: { check: isBoolean, expected: 'true or false' },
  allowPlainHttp: { check: isBoolean, expected: 'true or false' },
  domainNames: { check: listOf(matches(HOST_NAME), 10), expected: '1 to 10 distinct lowercase host names' },
  certificateArn: { check: matches(CERTIFICATE_ARN), expected: 'an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)' },
  postgres: { check: (v) => v === 'none' || v === 'ephemeral' || v === 'persistent', expected: '"none", "ephemeral" or "persistent"' },
  postgresMultiAz: { check: isBoolean, expected: 'true or false' },
  postgresPasswordsRevision: { check: matches(/^[A-Za-z0-9._:-]{1,64}$/), expected: 'a revision of 1 to 64 characters (letters, digits, . _ : -), such as "2026-12-06"' },
  vpc: { check: (v) => isPlainObject(v) && typeof v.vpcId === 'string' && typeof v.selectSubnets === 'function', expected: 'an ec2.IVpc (construct API only; cdk.json cannot hold one)' },
};

/**
 * Checks the workload props and applies their defaults.
 *
 * @param props - the given props (unknown keys were rejected by the caller)
 * @param retained - whether stateful resources are retained (the default Postgres mode follows it)
 * @param wickedVersion - the default component set follows it
 * @example
 * resolveWorkloadProps({ allowPlainHttp: true }, true, '1.0.0').postgres // 'persistent'
 */
export function resolveWorkloadProps(props: WorkloadProps, retained: boolean, wickedVersion: string): ResolvedWorkloadProps {
  const given = props as Record<string, unknown>;
  for (const [key, rule] of Object.entries(SCALAR_RULES)) {
    if (given[key] !== undefined && !rule.check(given[key])) throw new InvalidPropError(key, given[key], rule.expected);
  }
  if ((props.certificateArn === undefined) !== (props.domainNames === undefined)) {
    throw new InvalidPropError(props.certificateArn === undefined ? 'certificateArn' : 'domainNames', undefined,
      'certificateArn and domainNames together (HTTPS), or neither (HTTP only)');
  }
  const singletons = checkSingletons(props.singletons, wickedVersion);
  const stock = Object.keys(WICKED_COMPONENTS).filter((c) => c !== 'portal-api');
  const images = checkRecord<string>('wickedImages', props.wickedImages, stock, { check: matches(DOCKER_HUB_REPO), expected: 'a Docker Hub repository such as "haufelexware/wicked.ui"' });
  const sizes = checkRecord<TaskSize>('taskSizes', props.taskSizes, singletons, { check: (v) => isPlainObject(v) && Object.keys(v).length === 2 && isFargateSize(v.cpu, v.memory), expected: `{ cpu, memory } as ${FARGATE_EXPECTED}` });
  const gatewayGroups = checkGatewayGroups(props.gatewayGroups);
  const backup = checkBackup(props.backup);
  if (props.certificateArn === undefined && props.allowPlainHttp !== true) {
    // The load balancer is internet-facing: without TLS, logins and API keys would cross the internet in clear.
    throw new InvalidPropError('certificateArn', undefined,
      'an ACM certificate ARN with domainNames for the internet-facing load balancer (HTTPS on 443), or allowPlainHttp: true for a throw-away environment');
  }
  if (props.certificateArn !== undefined && props.allowPlainHttp === true) {
    throw new InvalidPropError('allowPlainHttp', true, 'no allowPlainHttp with a certificate (HTTP is then redirected to HTTPS)');
  }
  return {
    ...(props.vpc ? { vpc: props.vpc } : {}),
    natGateways: props.natGateways ?? 1,
    singletons,
    wickedImages: { ...Object.fromEntries(stock.map((c) => [c, WICKED_COMPONENTS[c]!.repository])), ...images },
    kongImage: props.kongImage ?? 'library/kong:0.14.1',
    redisSessionStore: props.redisSessionStore ?? isWicked1OrLater(wickedVersion),
    redisImage: props.redisImage ?? 'library/redis:5-alpine',
    ...(props.domainNames ? { domainNames: props.domainNames, certificateArn: props.certificateArn } : {}),
    allowPlainHttp: props.allowPlainHttp ?? false,
    taskSizes: { ...defaultTaskSizes(singletons), ...sizes },
    gatewayGroups,
    postgres: props.postgres ?? (retained ? 'persistent' : 'ephemeral'),
    postgresMultiAz: props.postgresMultiAz ?? false,
    ...(props.postgresPasswordsRevision !== undefined ? { postgresPasswordsRevision: props.postgresPasswordsRevision } : {}),
    backup,
  };
}

export { BACKUP_DEFAULTS };
