import type { CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import { CreateScheduleCommand, CreateScheduleGroupCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import type { BackupRuleInput } from '@aws-sdk/client-backup';
import { BackupClient, CreateBackupPlanCommand, CreateBackupSelectionCommand, DeleteBackupPlanCommand, DeleteBackupSelectionCommand, DescribeBackupVaultCommand, UpdateBackupPlanCommand } from '@aws-sdk/client-backup';
import { TemplateError } from '../errors';
import { CreateTopicCommand, DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { SchedulerNotFoundError } from '../../scheduler/errors';
import type { EventPattern } from '../../bus/pattern';
import type { EmulatorLinks } from './links';
import { CLIENT_DEFAULTS } from './links';
import type { ResourceProvider } from './provider';
import { found, generatedName, updateInPlaceUnless } from './provider';
import { recordedProvider } from './recorded';

type Props = Record<string, unknown>;

/** The function name of a Lambda ARN (`arn:aws:lambda:<region>:<account>:function:<name>[:qualifier]`), or undefined. */
export function lambdaFunctionName(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:lambda:[^:]*:\d{12}:function:([^:]+)/.exec(arn)?.[1];
}

/**
 * AWS::SNS::Topic (Ref: the ARN; GetAtt TopicArn, TopicName). No name conflict check at CreateChangeSet: AWS::SNS::Topic
 * is among the types "not supported for pre-deployment validation" (CloudFormation User Guide, "Validate stack
 * deployments", Resource limitations).
 */
export function snsTopicProvider(links: EmulatorLinks): ResourceProvider {
  return {
    emulated: true,
    create: async (props, context) => {
      const name = typeof props.TopicName === 'string' ? props.TopicName : generatedName(context, { maxLength: 256 });
      const sns = new SNSClient({ ...CLIENT_DEFAULTS, endpoint: links.endpoints.sns });
      try {
        const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
        if (!TopicArn) throw new Error(`CreateTopic ${name} answered no TopicArn`);
        return { physicalId: TopicArn, attributes: { TopicArn, TopicName: name } };
      } finally { sns.destroy(); }
    },
    update: (props, previous, context) => updateInPlaceUnless(['TopicName', 'FifoTopic'], (p, c) => snsTopicProvider(links).create(p, c))(props, previous, context),
    delete: async (resource) => {
      const sns = new SNSClient({ ...CLIENT_DEFAULTS, endpoint: links.endpoints.sns });
      try { await sns.send(new DeleteTopicCommand({ TopicArn: resource.physicalId })); } finally { sns.destroy(); }
    },
  };
}

/** A rule target, as the template gives it. */
interface RuleTarget {
  readonly Arn?: string;
  readonly Id?: string;
  readonly RetryPolicy?: { readonly MaximumRetryAttempts?: number; readonly MaximumEventAgeInSeconds?: number };
  readonly DeadLetterConfig?: { readonly Arn?: string };
}

/** The target properties the emulated rules apply (Input shaping is refused above with its own reason). */
const RULE_TARGET_KEYS: ReadonlySet<string> = new Set(['Arn', 'Id', 'RetryPolicy', 'DeadLetterConfig', 'RoleArn']);

/**
 * AWS::Events::Rule on the default bus (Ref: the name; GetAtt Arn): one bus
 * rule per target, delivering to the deployed Lambda function the target's
 * ARN names, with the target's retry policy and dead-letter queue. A disabled rule is recorded
 * but delivers nothing, as on AWS. No name conflict check at CreateChangeSet: the type's primary identifier is its
 * Arn (the AWS::Events::Rule resource schema), which no template sets, so a conflict is not known before execution.
 */
export function eventRuleProvider(links: EmulatorLinks): ResourceProvider {
  const add = (name: string, props: Props): void => {
    if (props.State === 'DISABLED') return;
    if (props.ScheduleExpression !== undefined) throw new Error(`ScheduleExpression rules are not emulated through CloudFormation (received ${JSON.stringify(props.ScheduleExpression)})`);
    const pattern = props.EventPattern as EventPattern | undefined;
    if (!pattern) throw new Error('EventPattern is required (the emulator runs pattern rules only)');
    const targets = (props.Targets as RuleTarget[] | undefined) ?? [];
    for (const target of targets) {
      const shaping = ['Input', 'InputPath', 'InputTransformer'].find((key) => key in target);
      if (shaping) throw new Error(`Targets[${target.Id ?? '?'}].${shaping} is not emulated; the emulated rules deliver the matched event as it is`);
      const fn = lambdaFunctionName(target.Arn ?? '');
      if (!fn) throw new Error(`Targets[${target.Id ?? '?'}].Arn ${JSON.stringify(target.Arn)} is not a Lambda function ARN; the emulator delivers rules to Lambda functions only`);
      const unknown = Object.keys(target).find((key) => !RULE_TARGET_KEYS.has(key));
      if (unknown) throw new Error(`Targets[${target.Id ?? '?'}].${unknown} is not understood by the emulated rules; they understand ${[...RULE_TARGET_KEYS].join(', ')}`);
      // The target's retry policy and dead-letter queue cover EventBridge's call to Lambda, which only queues the event ("Event retry policy and using dead-letter queues").
      links.bus.addRule({
        name: `${name}/${target.Id ?? fn}`, pattern, targetId: fn, targetArn: target.Arn!,
        ...(typeof props.Description === 'string' ? { description: props.Description } : {}),
        ...(target.RetryPolicy?.MaximumRetryAttempts !== undefined ? { retryAttempts: Number(target.RetryPolicy.MaximumRetryAttempts) } : {}),
        ...(target.RetryPolicy?.MaximumEventAgeInSeconds !== undefined ? { maxEventAgeSeconds: Number(target.RetryPolicy.MaximumEventAgeInSeconds) } : {}),
        ...(typeof target.DeadLetterConfig?.Arn === 'string' ? { deadLetterArn: target.DeadLetterConfig.Arn } : {}),
      });
    }
  };
  const remove = (name: string, props: Props): void => {
    for (const target of (props.Targets as { Arn?: string; Id?: string }[] | undefined) ?? []) links.bus.removeRule(`${name}/${target.Id ?? lambdaFunctionName(target.Arn ?? '') ?? ''}`);
  };
  const attributes = (name: string, region: string, account: string) => ({ Arn: `arn:aws:events:${region}:${account}:rule/${name}` });
  return {
    emulated: true,
    create: async (props, context) => {
      const name = typeof props.Name === 'string' ? props.Name : generatedName(context, { maxLength: 64 });
      add(name, props);
      return { physicalId: name, attributes: attributes(name, context.region, context.account) };
    },
    update: async (props, previous, context) => {
      if (props.Name !== previous.properties.Name) return eventRuleProvider(links).create(props, context);
      remove(previous.physicalId, previous.properties);
      add(previous.physicalId, props);
      return { physicalId: previous.physicalId, attributes: previous.attributes };
    },
    delete: async (resource) => { remove(resource.physicalId, resource.properties); },
  };
}

async function withScheduler<T>(links: EmulatorLinks, run: (client: SchedulerClient) => Promise<T>): Promise<T> {
  const client = new SchedulerClient({ ...CLIENT_DEFAULTS, endpoint: links.endpoints.scheduler });
  try { return await run(client); } finally { client.destroy(); }
}

/** Whether a Scheduler look-up (GetSchedule, GetScheduleGroup) found what it looked for. */
const schedulerFound = (lookup: () => unknown): Promise<boolean> => found(lookup, (error) => error instanceof SchedulerNotFoundError);

/** AWS::Scheduler::ScheduleGroup (Ref: the name; GetAtt Arn). */
export function scheduleGroupProvider(links: EmulatorLinks): ResourceProvider {
  return {
    emulated: true,
    nameConflict: { name: 'Name', existing: async (name) => (await schedulerFound(() => links.scheduler.getGroup(name)) ? name : undefined) },
    create: async (props, context) => {
      const name = typeof props.Name === 'string' ? props.Name : generatedName(context, { maxLength: 64 });
      const { ScheduleGroupArn } = await withScheduler(links, (client) => client.send(new CreateScheduleGroupCommand({ Name: name })));
      return { physicalId: name, attributes: { Arn: ScheduleGroupArn ?? `arn:aws:scheduler:${context.region}:${context.account}:schedule-group/${name}` } };
    },
    update: (props, previous, context) => updateInPlaceUnless(['Name'], (p, c) => scheduleGroupProvider(links).create(p, c))(props, previous, context),
    delete: async (resource) => { links.scheduler.deleteGroup(resource.physicalId); },
  };
}

/** AWS::Scheduler::Schedule (Ref: the name; GetAtt Arn): created through the Scheduler API, firing on the emulator clock. */
export function scheduleProvider(links: EmulatorLinks): ResourceProvider {
  const create = async (props: Props, context: { stackName: string; logicalId: string; region: string; account: string }) => {
    const name = typeof props.Name === 'string' ? props.Name : generatedName(context, { maxLength: 64 });
    const input = { ...props, Name: name } as unknown as CreateScheduleCommandInput;
    const { ScheduleArn } = await withScheduler(links, (client) => client.send(new CreateScheduleCommand(input)));
    return { physicalId: name, attributes: { Arn: ScheduleArn ?? `arn:aws:scheduler:${context.region}:${context.account}:schedule/${String(props.GroupName ?? 'default')}/${name}` } };
  };
  const remove = async (name: string, props: Props) => {
    await withScheduler(links, (client) => client.send(new DeleteScheduleCommand({ Name: name, ...(typeof props.GroupName === 'string' ? { GroupName: props.GroupName } : {}) })));
  };
  return {
    emulated: true,
    // A schedule's name is unique within its group (GroupName, default `default`); the identifier is the name (the type's primary identifier).
    nameConflict: { name: 'Name', within: ['GroupName'], existing: async (name, { GroupName: group }) => (await schedulerFound(() => links.scheduler.getSchedule(name, group ?? 'default')) ? name : undefined) },
    create,
    update: async (props, previous, context) => {
      await remove(previous.physicalId, previous.properties);
      return create({ ...props, Name: props.Name ?? previous.physicalId }, context);
    },
    delete: async (resource) => remove(resource.physicalId, resource.properties),
  };
}

/** AWS::Backup::BackupVault (Ref: the name; GetAtt BackupVaultName, BackupVaultArn). */
export function backupVaultProvider(links: EmulatorLinks): ResourceProvider {
  return {
    emulated: true,
    nameConflict: {
      name: 'BackupVaultName',
      existing: (name) => withBackup(links, async (backup) => (await found(() => backup.send(new DescribeBackupVaultCommand({ BackupVaultName: name })), (error) => error.name === 'ResourceNotFoundException') ? name : undefined)),
    },
    create: async (props, context) => {
      const name = typeof props.BackupVaultName === 'string' ? props.BackupVaultName : generatedName(context, { maxLength: 50 });
      const vault = links.backup.createVault(name);
      return { physicalId: name, attributes: { BackupVaultName: name, BackupVaultArn: vault.arn } };
    },
    update: (props, previous, context) => updateInPlaceUnless(['BackupVaultName', 'EncryptionKeyArn'], (p, c) => backupVaultProvider(links).create(p, c))(props, previous, context),
    delete: async (resource) => { links.backup.deleteVault(resource.physicalId); },
  };
}

/** The keys of a rule in AWS::Backup::BackupPlan's `BackupPlanRule` the emulated plan runs or keeps (RecoveryPointTags as a recorded fact). */
const PLAN_RULE_KEYS = ['RuleName', 'TargetBackupVault', 'ScheduleExpression', 'ScheduleExpressionTimezone', 'StartWindowMinutes', 'CompletionWindowMinutes', 'Lifecycle', 'CopyActions', 'RecoveryPointTags', 'EnableContinuousBackup'];

/** The API's BackupPlanInput of a template's `BackupPlan` (CloudFormation names the vault `TargetBackupVault`). */
function backupPlanInput(props: Props, logicalId: string): { BackupPlanName: string; Rules: BackupRuleInput[] } {
  const plan = (props.BackupPlan ?? {}) as Props;
  const rules = plan.BackupPlanRule;
  if (!Array.isArray(rules)) throw new TemplateError(logicalId, 'BackupPlan.BackupPlanRule', 'a list of rules is required');
  return {
    BackupPlanName: String(plan.BackupPlanName ?? ''),
    Rules: rules.map((rule: Props, i) => {
      const unknown = Object.keys(rule).filter((key) => !PLAN_RULE_KEYS.includes(key));
      if (unknown.length > 0) throw new TemplateError(logicalId, `BackupPlan.BackupPlanRule[${i}].${unknown[0]!}`, `not understood by the emulated AWS Backup (it runs ${PLAN_RULE_KEYS.join(', ')})`);
      const { TargetBackupVault, RecoveryPointTags: _tags, ...rest } = rule;
      return { ...rest, TargetBackupVaultName: TargetBackupVault } as BackupRuleInput;
    }),
  };
}

/** A Backup client of the emulator for one call. */
async function withBackup<T>(links: EmulatorLinks, call: (backup: BackupClient) => Promise<T>): Promise<T> {
  const backup = new BackupClient({ ...CLIENT_DEFAULTS, endpoint: links.endpoints.backup });
  try { return await call(backup); } finally { backup.destroy(); }
}

/**
 * AWS::Backup::BackupPlan (Ref: the plan id; GetAtt BackupPlanId, BackupPlanArn, VersionId) through the Backup API:
 * its rules run on the emulated clock at their schedules. An update keeps the plan and gives it a new version.
 */
export function backupPlanProvider(links: EmulatorLinks): ResourceProvider {
  const result = (out: { BackupPlanId?: string; BackupPlanArn?: string; VersionId?: string }) => ({
    physicalId: out.BackupPlanId!, attributes: { BackupPlanId: out.BackupPlanId, BackupPlanArn: out.BackupPlanArn, VersionId: out.VersionId },
  });
  return {
    emulated: true,
    create: (props, context) => withBackup(links, async (backup) => result(await backup.send(new CreateBackupPlanCommand({ BackupPlan: backupPlanInput(props, context.logicalId) })))),
    update: (props, previous, context) => withBackup(links, async (backup) => result(await backup.send(new UpdateBackupPlanCommand({ BackupPlanId: previous.physicalId, BackupPlan: backupPlanInput(props, context.logicalId) })))),
    delete: (resource) => withBackup(links, async (backup) => { await backup.send(new DeleteBackupPlanCommand({ BackupPlanId: resource.physicalId })); }),
  };
}

/** AWS::Backup::BackupSelection (GetAtt SelectionId, BackupPlanId, Id) through the Backup API; every change replaces it. */
export function backupSelectionProvider(links: EmulatorLinks): ResourceProvider {
  return {
    emulated: true,
    create: (props) => withBackup(links, async (backup) => {
      const out = await backup.send(new CreateBackupSelectionCommand({ BackupPlanId: String(props.BackupPlanId), BackupSelection: props.BackupSelection as never }));
      const id = `${out.BackupPlanId!}_${out.SelectionId!}`;
      return { physicalId: id, attributes: { SelectionId: out.SelectionId, BackupPlanId: out.BackupPlanId, Id: id } };
    }),
    // A selection deleted outside the stack is gone already: CloudFormation counts a delete that finds nothing as done.
    delete: (resource) => withBackup(links, async (backup) => {
      await found(() => backup.send(new DeleteBackupSelectionCommand({ BackupPlanId: String(resource.attributes.BackupPlanId), SelectionId: String(resource.attributes.SelectionId) })), (error) => error.name === 'ResourceNotFoundException');
    }),
  };
}

/**
 * AWS::RDS::DBInstance: recorded, not emulated (no database runs; its ids and endpoint as the recorder gives them),
 * and known to the Backup emulator, which backs it up as AWS Backup would, into recovery points without data.
 */
export function rdsInstanceProvider(links: EmulatorLinks): ResourceProvider {
  const recorded = recordedProvider('AWS::RDS::DBInstance')!;
  return {
    ...recorded,
    create: async (props, context) => {
      const result = await recorded.create(props, context);
      links.backup.registerDatabase(result.physicalId, String(result.attributes?.DBInstanceArn));
      return result;
    },
    delete: async (resource, context) => {
      await recorded.delete(resource, context);
      links.backup.deregisterDatabase(resource.physicalId);
    },
  };
}

/** AWS::EFS::FileSystem (Ref: the id; GetAtt Arn, FileSystemId): a real directory the Backup emulator copies. */
export function efsFileSystemProvider(links: EmulatorLinks): ResourceProvider {
  return {
    emulated: true,
    create: async () => {
      const fs = await links.backup.createFileSystem();
      return { physicalId: fs.id, attributes: { Arn: fs.arn, FileSystemId: fs.id } };
    },
    // Property changes (throughput, lifecycle, policy) do not change the emulated directory.
    update: async (_props, previous) => ({ physicalId: previous.physicalId, attributes: previous.attributes }),
    delete: (resource) => links.backup.deleteFileSystem(resource.physicalId),
  };
}

