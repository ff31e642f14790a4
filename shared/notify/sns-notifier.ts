import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Notification, Notifier } from '../deploy/adapters/notifier';
import { awsNotifyError } from './errors';
import { toPublishInput } from './publish-input';

/** Options of {@link SnsNotifier}. */
export interface SnsNotifierOptions {
  /** The operators' topic. */
  readonly topicArn: string;
  /** @default a client configured from the environment */
  readonly client?: SNSClient;
}

/**
 * Publishes operator notifications to an SNS topic: the subject made SNS-safe,
 * the attributes (env, outcome, ...) as String message attributes for
 * subscription filter policies.
 *
 * @example
 * await new SnsNotifier({ topicArn }).notify({ subject: 'wicked prod: deployment d-1 stuck', message, attributes: { env: 'prod', outcome: 'stuck' } });
 */
export class SnsNotifier implements Notifier {
  private readonly client: SNSClient;
  private readonly topicArn: string;

  constructor(options: SnsNotifierOptions) {
    this.client = options.client ?? new SNSClient({});
    this.topicArn = options.topicArn;
  }

  /** Publishes one notification; rejects with a `NotifyError` (`SNS_FAILED`) naming the topic. */
  async notify(notification: Notification): Promise<void> {
    const input = toPublishInput(this.topicArn, notification);
    try {
      await this.client.send(new PublishCommand(input));
    } catch (error) {
      throw awsNotifyError('SNS_FAILED', `publishing "${input.Subject ?? ''}" to ${this.topicArn}`, error, { topicArn: this.topicArn });
    }
  }
}
