import type { Clock } from '../kernel/clock';
import { startSnsServer } from './server';
import { SnsTopics } from './topics';

export * from './errors';
export * from './server';
export * from './topics';

/** The SNS emulator's control surface: the topics and every message published. */
export type SnsControl = SnsTopics;

/** Options of {@link startSns}. */
export interface SnsOptions {
  readonly clock: Clock;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
}

/**
 * Starts the SNS emulator on 127.0.0.1.
 *
 * @example
 * const sns = await startSns({ clock });
 * const topicArn = sns.control.createTopic('wicked-dev-notifications');
 * await sns.control.waitFor((m) => m.topicArn === topicArn);
 */
export async function startSns(options: SnsOptions): Promise<{ url: string; control: SnsControl; stop(): Promise<void> }> {
  const topics = new SnsTopics(options.clock);
  const server = await startSnsServer(topics, options.port ?? 0);
  return { url: server.url, control: topics, stop: server.stop };
}
