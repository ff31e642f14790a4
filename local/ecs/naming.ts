import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../kernel/events';

const prefix = `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}`;

/** ARN of a cluster. */
export const clusterArn = (cluster: string): string => `${prefix}:cluster/${cluster}`;
/** ARN of a service (long ARN format: cluster name included). */
export const serviceArn = (cluster: string, service: string): string => `${prefix}:service/${cluster}/${service}`;
/** ARN of a task definition revision. */
export const taskDefinitionArn = (family: string, revision: number): string => `${prefix}:task-definition/${family}:${revision}`;
/** ARN of a task (long ARN format). */
export const taskArn = (cluster: string, taskId: string): string => `${prefix}:task/${cluster}/${taskId}`;
/** ARN of a container of a task. */
export const containerArn = (cluster: string, taskId: string): string => `${prefix}:container/${cluster}/${taskId}/${randomUUID()}`;

/** A fresh task id: 32 lowercase hex digits, as ECS prints them. */
export const newTaskId = (): string => randomBytes(16).toString('hex');

/** A fresh deployment id: `ecs-svc/` and 19 digits, as ECS prints them. */
export function newDeploymentId(): string {
  const head = String(randomInt(1, 10));
  const rest = Array.from({ length: 18 }, () => String(randomInt(0, 10))).join('');
  return `ecs-svc/${head}${rest}`;
}

/** The last path segment of a name-or-ARN (`default`, `arn:...:cluster/default` → `default`). */
export function nameOf(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
}

/** Hands out private IPv4 addresses in 10.0.0.0/16, one per awsvpc task. */
export function ipAllocator(): () => string {
  let next = 10;
  return () => {
    const n = next++;
    return `10.0.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
  };
}
