import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cloud } from '../../../local/cloud';
import { startCloud } from '../../../local/cloud';
import { deployTemplate } from './deploy-template';

/** A vault, a file system, a plan with the platform's rule (infra/constructs/backups.ts) and a selection of the file system. */
const template = (rule: Record<string, unknown> = {}, vault = 'app-vault') => ({
  Resources: {
    Vault: { Type: 'AWS::Backup::BackupVault', Properties: { BackupVaultName: vault } },
    Data: { Type: 'AWS::EFS::FileSystem', Properties: { Encrypted: true } },
    Plan: {
      Type: 'AWS::Backup::BackupPlan',
      Properties: { BackupPlan: { BackupPlanName: 'app', BackupPlanRule: [{ RuleName: 'Scheduled', TargetBackupVault: { 'Fn::GetAtt': ['Vault', 'BackupVaultName'] }, ScheduleExpression: 'cron(0 3 * * ? *)', StartWindowMinutes: 60, CompletionWindowMinutes: 480, Lifecycle: { DeleteAfterDays: 35 }, ...rule }] } },
    },
    Selection: {
      Type: 'AWS::Backup::BackupSelection',
      Properties: { BackupPlanId: { 'Fn::GetAtt': ['Plan', 'BackupPlanId'] }, BackupSelection: { SelectionName: 'Data', IamRoleArn: 'arn:aws:iam::000000000000:role/backup', Resources: [{ 'Fn::GetAtt': ['Data', 'Arn'] }] } },
    },
  },
  Outputs: { Version: { Value: { 'Fn::GetAtt': ['Plan', 'VersionId'] } } },
});

describe('AWS::Backup::BackupPlan and BackupSelection through the local CloudFormation: plans the Backup emulator runs', () => {
  let dir: string;
  let cloud: Cloud;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cfn-backup-plan-'));
    // Backup jobs take 31 s of emulated time: sped up, they end within a second.
    cloud = await startCloud({ stateDir: join(dir, 'state'), clockSpeed: 1000 });
  });
  afterAll(async () => {
    await cloud?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the plan and its selection in the Backup emulator (emulated, not recorded), whose rule backs up the file system', async () => {
    const stack = await deployTemplate(cloud, 'app', template(), 'CREATE', 'create');
    expect(stack.status).toBe('CREATE_COMPLETE');
    const plan = cloud.control.backup.plans.get(stack.resources.get('Plan')!.physicalId)!;
    expect([stack.resources.get('Plan')!.emulated, stack.resources.get('Selection')!.emulated]).toEqual([true, true]);
    expect(plan.rules).toEqual([expect.objectContaining({ ruleName: 'Scheduled', targetVaultName: 'app-vault', scheduleExpression: 'cron(0 3 * * ? *)', startWindowMinutes: 60, lifecycle: { DeleteAfterDays: 35 } })]);
    expect(stack.outputs[0]!.OutputValue).toBe(plan.versionId);
    const [job] = cloud.control.backup.runPlanRule(plan.id);
    expect(job!.resourceArn).toBe(stack.resources.get('Data')!.attributes.Arn);
  });

  it('updates the plan in place with a new version (its selection stays), and deletes both with the stack (the vault, holding the rule\'s point, stays: DELETE_FAILED)', async () => {
    const before = cloud.cloudformation.stack('app');
    const [planId, selectionId] = [before.resources.get('Plan')!.physicalId, before.resources.get('Selection')!.physicalId];
    const version = cloud.control.backup.plans.get(planId)!.versionId;
    const stack = await deployTemplate(cloud, 'app', template({ ScheduleExpression: 'cron(0 4 * * ? *)' }), 'UPDATE', 'update');
    expect(stack.status).toBe('UPDATE_COMPLETE');
    expect([stack.resources.get('Plan')!.physicalId, stack.resources.get('Selection')!.physicalId]).toEqual([planId, selectionId]);
    expect(cloud.control.backup.plans.get(planId)).toMatchObject({ rules: [expect.objectContaining({ scheduleExpression: 'cron(0 4 * * ? *)' })] });
    expect(cloud.control.backup.plans.get(planId)!.versionId).not.toBe(version);
    await cloud.control.backup.settled();
    cloud.cloudformation.deleteStack('app');
    await cloud.cloudformation.settled();
    expect([cloud.control.backup.plans.size, cloud.control.backup.selections.size]).toEqual([0, 0]);
    // The vault holds the rule's recovery point: AWS Backup refuses to delete it, and the stack says so.
    expect(cloud.cloudformation.stack('app').status).toBe('DELETE_FAILED');
    expect([...cloud.cloudformation.stack('app').resources.keys()]).toEqual(['Vault']);
  });

  it('fails a plan with a copy action, naming the resource and the property: copy jobs are not emulated', async () => {
    const stack = await deployTemplate(cloud, 'dr', template({ CopyActions: [{ DestinationBackupVaultArn: 'arn:aws:backup:eu-west-1:000000000000:backup-vault:dr' }] }, 'dr-vault'), 'CREATE', 'create');
    expect(stack.status).toBe('ROLLBACK_COMPLETE');
    const failed = stack.events.find((event) => event.ResourceStatus === 'CREATE_FAILED' && event.LogicalResourceId === 'Plan');
    expect(failed?.ResourceStatusReason).toMatch(/CopyActions.*copy jobs to another vault are not emulated/);
    expect(cloud.control.backup.plans.size).toBe(0);
  });
});
