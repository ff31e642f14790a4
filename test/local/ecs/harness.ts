import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { CreateServiceCommandInput } from '@aws-sdk/client-ecs';
import { scaledClock } from '../../../local/kernel/clock';
import type { Clock } from '../../../local/kernel/clock';
import type { EventSink } from '../../../local/kernel/events';
import { startEcs } from '../../../local/ecs';
import type { EcsEmulator } from '../../../local/ecs';

/** Events put on the bus, in order. */
export type RecordedEvent = Parameters<EventSink['put']>[0];

/** A started emulator, an SDK client against it, the recorded bus and a mutable tag → digest table. */
export interface Harness {
  readonly ecs: EcsEmulator;
  readonly client: ECSClient;
  readonly events: RecordedEvent[];
  readonly digests: Map<string, string>;
  readonly stateDir: string;
  /** The emulator's clock: a sleep on it ends after every timer of the emulator due earlier has fired. */
  readonly clock: Clock;
  close(): Promise<void>;
}

/** A digest made of one repeated hex digit, easy to read in failures. */
export const digest = (hex: string): string => `sha256:${hex.repeat(64).slice(0, 64)}`;

/** Starts the ECS emulator at a high clock speed with a map-backed image resolver. */
export async function startHarness(speed = 1000): Promise<Harness> {
  const stateDir = await mkdtemp(join(tmpdir(), 'ecs-emulator-'));
  const events: RecordedEvent[] = [];
  const digests = new Map<string, string>();
  const clock = scaledClock(speed);
  const ecs = await startEcs({
    clock, bus: { put: (event) => void events.push(event) }, stateDir,
    resolveImage: async (image) => digests.get(image),
  });
  const client = new ECSClient({ endpoint: ecs.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return {
    ecs, client, events, digests, stateDir, clock,
    close: async () => {
      client.destroy();
      await ecs.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** Registers a one-container Fargate task definition and returns its ARN. */
export async function register(client: ECSClient, family: string, image: string): Promise<string> {
  const out = await client.send(new RegisterTaskDefinitionCommand({
    family, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
    containerDefinitions: [{ name: 'app', image, essential: true }],
  }));
  return out.taskDefinition?.taskDefinitionArn ?? '';
}

/** Creates cluster `c` and a Fargate service in it. */
export async function createService(client: ECSClient, input: Partial<CreateServiceCommandInput> & { serviceName: string; taskDefinition: string }): Promise<void> {
  await client.send(new CreateClusterCommand({ clusterName: 'c' }));
  await client.send(new CreateServiceCommand({
    cluster: 'c', launchType: 'FARGATE', desiredCount: 1,
    networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'DISABLED' } },
    ...input,
  }));
}

/** Deployment State Change events of the recorded bus, as (eventName, deploymentId) pairs. */
export function deploymentEvents(events: readonly RecordedEvent[]): { eventName: string; deploymentId: string; reason: string }[] {
  return events
    .filter((event) => event['detail-type'] === 'ECS Deployment State Change')
    .map((event) => ({ eventName: String(event.detail.eventName), deploymentId: String(event.detail.deploymentId), reason: String(event.detail.reason) }));
}

