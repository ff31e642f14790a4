import { CorruptRecordError } from './errors';
import { DeploymentRecordSchema, EnvironmentRecordSchema } from './types';
import type { DeploymentRecord, EnvironmentRecord } from './types';

/** Sort key of an environment's state item. */
export const ENVIRONMENT_SK = 'STATE';
/** Sort key prefix of deployment records. */
export const DEPLOYMENT_PREFIX = 'DEPLOY#';

/** Primary key of an environment's state item. */
export function environmentKey(env: string): { pk: string; sk: string } {
  return { pk: `ENV#${env}`, sk: ENVIRONMENT_SK };
}

/** Primary key of one deployment record (same partition as its environment). */
export function deploymentKey(env: string, deploymentId: string): { pk: string; sk: string } {
  return { pk: `ENV#${env}`, sk: `${DEPLOYMENT_PREFIX}${deploymentId}` };
}

/** An item with the key, undefined values dropped (DynamoDB refuses them). */
export function toItem(key: { pk: string; sk: string }, value: object): Record<string, unknown> {
  return { ...(JSON.parse(JSON.stringify(value)) as Record<string, unknown>), ...key };
}

/** Parses an environment item; throws {@link CorruptRecordError} naming the first problem. */
export function parseEnvironment(item: Record<string, unknown>): EnvironmentRecord {
  return parse(EnvironmentRecordSchema, item, 'environment');
}

/** Parses a deployment item; throws {@link CorruptRecordError} naming the first problem. */
export function parseDeployment(item: Record<string, unknown>): DeploymentRecord {
  return parse(DeploymentRecordSchema, item, 'deployment');
}

function parse<T>(schema: { safeParse: (v: unknown) => { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, item: Record<string, unknown>, kind: string): T {
  const result = schema.safeParse(item);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.map(String).join('.') ?? '';
  throw new CorruptRecordError(`reading ${kind} item ${String(item.pk)}/${String(item.sk)}: ${where}: ${issue?.message ?? 'invalid'}`, { pk: String(item.pk), sk: String(item.sk) });
}
