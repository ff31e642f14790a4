import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../kernel/clock';
import type { EventSink } from '../kernel/events';
import { serveAwsJson } from '../kernel/aws-json';
import { autoScalingOperations } from './api';
import { ScalingState } from './scaling-state';
import type { EcsScalingPort, SimulatedLoad, SimulatedScaling } from './scaling-state';

/** Options of {@link startAutoScaling}. */
export interface AutoScalingOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Cooldowns are measured on it. */
  readonly clock: Clock;
  /** Accepted for symmetry with the other services; Application Auto Scaling emits no events the project consumes. */
  readonly bus: EventSink;
  /** Accepted for symmetry; the emulator keeps its state in memory. */
  readonly stateDir: string;
  /** The ECS emulator's control surface (it satisfies this port). */
  readonly ecs: EcsScalingPort;
}

/** In-process control of the Application Auto Scaling emulator. */
export interface AutoScalingControl {
  /**
   * Feeds a load sample to the target's target-tracking policies: the ECS
   * desired count becomes ceil(current × metric / target), clamped to the
   * target's bounds, unless a cooldown or DisableScaleIn holds it.
   */
  simulateLoad(resourceId: string, load: SimulatedLoad): SimulatedScaling;
}

/** A running Application Auto Scaling emulator. */
export interface AutoScalingEmulator {
  readonly url: string;
  stop(): Promise<void>;
  readonly control: AutoScalingControl;
}

const KNOWN_OPTIONS = new Set(['port', 'clock', 'bus', 'stateDir', 'ecs']);

/**
 * Starts the Application Auto Scaling emulator (awsJson1_1, `AnyScaleFrontendService.<Op>`) on 127.0.0.1.
 *
 * @example
 * const aas = await startAutoScaling({ clock, bus, stateDir, ecs: ecsEmulator.control });
 * aas.control.simulateLoad('service/wicked-dev/kong', { cpu: 90 });
 */
export async function startAutoScaling(options: AutoScalingOptions): Promise<AutoScalingEmulator> {
  const unknown = Object.keys(options).filter((key) => !KNOWN_OPTIONS.has(key));
  if (unknown.length) throw new TypeError(`startAutoScaling: unknown option(s) ${unknown.join(', ')}; expected ${[...KNOWN_OPTIONS].join(', ')}`);
  const state = new ScalingState(options.clock, options.ecs);
  const operations = autoScalingOperations(state);
  const server = createServer((req, res) => void serveAwsJson(req, res, operations));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    control: { simulateLoad: (resourceId, load) => state.simulateLoad(resourceId, load) },
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
