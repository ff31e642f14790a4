import { EcsEmulatorError } from './errors';
import { clusterArn, nameOf, taskDefinitionArn } from './naming';
import type { ContainerDefinition, TaskDefinitionRecord } from './types';

/** A cluster. */
export interface ClusterRecord {
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly createdAt: number;
}

/** Clusters and task definition revisions. */
export class EcsRegistry {
  private readonly clusters = new Map<string, ClusterRecord>();
  private readonly families = new Map<string, TaskDefinitionRecord[]>();

  /** Creates a cluster, or returns the existing one (CreateCluster is idempotent). */
  createCluster(name: string, now: number): ClusterRecord {
    const existing = this.clusters.get(name);
    if (existing) return existing;
    const cluster = { clusterName: name, clusterArn: clusterArn(name), createdAt: now };
    this.clusters.set(name, cluster);
    return cluster;
  }

  /** The cluster named by a name or ARN (`default` when absent). */
  cluster(nameOrArn = 'default'): ClusterRecord {
    const cluster = this.clusters.get(nameOf(nameOrArn));
    if (!cluster) throw new EcsEmulatorError('CLUSTER_NOT_FOUND', `Cluster not found: ${nameOrArn}.`, { cluster: nameOrArn });
    return cluster;
  }

  /** DeleteCluster: removes a cluster; the caller checks it holds no services. */
  deleteCluster(nameOrArn: string): ClusterRecord {
    const cluster = this.cluster(nameOrArn);
    this.clusters.delete(cluster.clusterName);
    return cluster;
  }

  /** Registers the next revision of a family. */
  register(input: Readonly<Record<string, unknown>>, now: number): TaskDefinitionRecord {
    const family = input.family;
    if (typeof family !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(family)) {
      throw new EcsEmulatorError('CLIENT', `family: expected 1-255 letters, digits, hyphens or underscores, received ${JSON.stringify(family)}`, { family });
    }
    const containers = input.containerDefinitions;
    if (!Array.isArray(containers) || containers.length === 0 || !containers.every(isContainer)) {
      throw new EcsEmulatorError('CLIENT', 'containerDefinitions: expected at least one container with a name and an image', { family });
    }
    const revisions = this.families.get(family) ?? [];
    const revision = revisions.length + 1;
    const record: TaskDefinitionRecord = {
      taskDefinitionArn: taskDefinitionArn(family, revision), family, revision, containerDefinitions: containers,
      networkMode: typeof input.networkMode === 'string' ? input.networkMode : 'bridge', registeredAt: now, input,
    };
    revisions.push(record);
    this.families.set(family, revisions);
    return record;
  }

  /** A task definition by `family` (latest revision), `family:revision` or ARN. */
  taskDefinition(reference: string): TaskDefinitionRecord {
    const [family, revisionText] = nameOf(reference).split(':');
    const revisions = this.families.get(family ?? '') ?? [];
    const found = revisionText === undefined ? revisions[revisions.length - 1] : revisions[Number(revisionText) - 1];
    if (!found) throw new EcsEmulatorError('CLIENT', `Unable to describe task definition: ${reference} is not registered.`, { taskDefinition: reference });
    return found;
  }
}

function isContainer(value: unknown): value is ContainerDefinition {
  const candidate = value as Partial<ContainerDefinition> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.name === 'string' && typeof candidate.image === 'string';
}
