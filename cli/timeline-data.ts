import type { ECSClient } from '@aws-sdk/client-ecs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeploymentFacts, GateFacts, TaskFacts } from '../shared/timeline';

/** Where the timeline's facts are read from. */
export interface TimelineSources {
  readonly env: string;
  readonly table: string;
  readonly cluster: string;
  readonly dynamo: DynamoDBDocumentClient;
  readonly ecs: ECSClient;
}

/**
 * Reads the facts of one environment's timeline: its deployments from the
 * ledger, the pre-deploy snapshot jobs, and every task ECS still describes
 * in the cluster (running and stopped: ECS keeps stopped tasks for about an
 * hour, so older rollouts show markers but no task lifetimes).
 */
export async function readTimelineFacts(s: TimelineSources): Promise<{ deployments: DeploymentFacts[]; gates: GateFacts[]; tasks: TaskFacts[] }> {
  const { Ledger } = await import('../shared/ledger/ledger');
  const { SnapshotStore } = await import('../shared/snapshot');
  const [records, jobs, tasks] = await Promise.all([
    new Ledger({ client: s.dynamo, tableName: s.table }).listDeployments(s.env),
    new SnapshotStore({ client: s.dynamo, tableName: s.table }).listJobs(s.env),
    describeClusterTasks(s.ecs, s.cluster),
  ]);
  const ms = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));
  return {
    deployments: records.map((r) => ({
      deploymentId: r.deploymentId, state: r.state, createdAt: Date.parse(r.createdAt), configHash: r.configHash,
      ...(r.finishedAt ? { finishedAt: Date.parse(r.finishedAt) } : {}), ...(r.ecsDeploymentId ? { ecsDeploymentId: r.ecsDeploymentId } : {}),
      ...(r.revision ? { revision: r.revision } : {}), ...(r.reason ? { reason: r.reason } : {}), ...(r.kind === 'restart' && r.service ? { service: r.service } : {}),
    })),
    gates: jobs.filter((j) => j.deploymentIds.length > 0).map((j) => ({
      jobId: j.jobId, deploymentIds: j.deploymentIds, startedAt: Date.parse(j.startedAt), state: j.state,
      ...(['COMPLETED', 'FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'].includes(j.state) && ms(j.updatedAt) !== undefined ? { endedAt: ms(j.updatedAt)! } : {}),
    })),
    tasks,
  };
}

/** ListTasks (RUNNING and STOPPED, paged) then DescribeTasks in batches of 100, as the API allows. */
async function describeClusterTasks(ecs: ECSClient, cluster: string): Promise<TaskFacts[]> {
  const { DescribeTasksCommand, ListTasksCommand } = await import('@aws-sdk/client-ecs');
  const arns: string[] = [];
  for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListTasksCommand({ cluster, desiredStatus, ...(nextToken ? { nextToken } : {}) }));
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  }
  const facts: TaskFacts[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }));
    for (const t of tasks ?? []) {
      if (!t.taskArn || !t.createdAt || !t.group?.startsWith('service:')) continue;
      facts.push({
        taskArn: t.taskArn, service: t.group.slice('service:'.length), createdAt: t.createdAt.getTime(), lastStatus: t.lastStatus ?? 'UNKNOWN',
        ...(t.startedBy ? { startedBy: t.startedBy } : {}), ...(t.startedAt ? { startedAt: t.startedAt.getTime() } : {}),
        ...(t.stoppingAt ? { stoppingAt: t.stoppingAt.getTime() } : {}), ...(t.stoppedAt ? { stoppedAt: t.stoppedAt.getTime() } : {}),
        ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
      });
    }
  }
  return facts;
}
