import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../kernel/clock';
import type { EventSink } from '../kernel/events';
import { serveAwsJson } from '../kernel/aws-json';
import { ecsOperations } from './api';
import { EcsControlSurface } from './control';
import type { EcsControl } from './control';
import { EcsRegistry } from './registry';
import { ServiceScheduler } from './scheduler';
import type { ImageResolver } from './scheduler';
import { DEFAULT_TASK_TIMINGS } from './task-lifecycle';
import type { TaskTimings } from './task-lifecycle';

/** Options of {@link startEcs}. */
export interface EcsOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Every modelled delay goes through it. */
  readonly clock: Clock;
  /** Where ECS Task / Deployment State Change events go. */
  readonly bus: EventSink;
  /** The task history is written to `<stateDir>/ecs/task-history.json` on stop. */
  readonly stateDir: string;
  /**
   * Resolves an image reference to its digest when a deployment starts (ECS
   * pins one digest per deployment). Undefined means the image does not
   * exist: the deployment's tasks fail with CannotPullContainerError.
   */
  readonly resolveImage: ImageResolver;
  /** Task transition delays in emulated ms. @default DEFAULT_TASK_TIMINGS */
  readonly timings?: Partial<TaskTimings>;
}

/** A running ECS emulator. */
export interface EcsEmulator {
  /** `http://127.0.0.1:PORT`, for the SDK's `endpoint`. */
  readonly url: string;
  /** Stops the server and every scheduled task transition, then writes the task history. */
  stop(): Promise<void>;
  /** In-process control for tests and the demo. */
  readonly control: EcsControl;
}

const KNOWN_OPTIONS = new Set(['port', 'clock', 'bus', 'stateDir', 'resolveImage', 'timings']);

/**
 * Starts the ECS emulator (awsJson1_1, `AmazonEC2ContainerServiceV20141113.<Op>`) on 127.0.0.1.
 *
 * @example
 * const ecs = await startEcs({ clock: scaledClock(100), bus, stateDir, resolveImage: (image) => store.digestOf(image) });
 * const client = new ECSClient({ endpoint: ecs.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
 */
export async function startEcs(options: EcsOptions): Promise<EcsEmulator> {
  const unknown = Object.keys(options).filter((key) => !KNOWN_OPTIONS.has(key));
  if (unknown.length) throw new TypeError(`startEcs: unknown option(s) ${unknown.join(', ')}; expected ${[...KNOWN_OPTIONS].join(', ')}`);
  const timings = { ...DEFAULT_TASK_TIMINGS, ...options.timings };
  const scheduler = new ServiceScheduler({ clock: options.clock, bus: options.bus, timings, resolveImage: options.resolveImage });
  const registry = new EcsRegistry();
  const operations = ecsOperations(registry, scheduler, options.clock);
  const server = createServer((req, res) => void serveAwsJson(req, res, operations));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const control = new EcsControlSurface(scheduler);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    control,
    stop: async () => {
      scheduler.halt();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      const dir = join(options.stateDir, 'ecs');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'task-history.json'), `${JSON.stringify(control.taskHistory(), null, 2)}\n`);
    },
  };
}
