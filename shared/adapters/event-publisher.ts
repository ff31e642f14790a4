import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE } from '../events';

/** Error raised when EventBridge refuses an entry. */
export class EventPublishError extends Error {
  readonly code: string;
  readonly retryable = true;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'EventPublishError';
    this.code = code;
  }
}

/**
 * Puts the control plane's own events (source `wicked.control-plane`) on a bus.
 *
 * @example
 * await new EventPublisher({ busName: 'default' }).publish('Portal Image Built', detail);
 */
export class EventPublisher {
  private readonly client: EventBridgeClient;
  private readonly busName: string;

  constructor(options: { busName: string; client?: EventBridgeClient }) {
    this.client = options.client ?? new EventBridgeClient({});
    this.busName = options.busName;
  }

  /** Publishes one event; rejects when the entry failed (PutEvents reports per-entry failures with status 200). */
  async publish(detailType: string, detail: object, resources: string[] = []): Promise<string> {
    const output = await this.client.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: this.busName, Source: EVENT_SOURCE, DetailType: detailType, Detail: JSON.stringify(detail), Resources: resources }],
      }),
    );
    const entry = output.Entries?.[0];
    if ((output.FailedEntryCount ?? 0) > 0 || !entry?.EventId) {
      throw new EventPublishError(
        `putting "${detailType}" on bus ${this.busName}: ${entry?.ErrorCode ?? 'unknown'}: ${entry?.ErrorMessage ?? 'no event id returned'}`,
        entry?.ErrorCode ?? 'Unknown',
      );
    }
    return entry.EventId;
  }
}
