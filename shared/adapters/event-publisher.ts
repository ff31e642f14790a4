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
    const output = await this.client.send(new PutEventsCommand(putEventsInput(this.busName, detailType, detail, resources)));
    return eventIdOf(output, this.busName, detailType);
  }
}

/** The PutEvents input of one control-plane event. */
export function putEventsInput(busName: string, detailType: string, detail: object, resources: readonly string[]): {
  Entries: { EventBusName: string; Source: string; DetailType: string; Detail: string; Resources: string[] }[];
} {
  return { Entries: [{ EventBusName: busName, Source: EVENT_SOURCE, DetailType: detailType, Detail: JSON.stringify(detail), Resources: [...resources] }] };
}

/** What PutEvents answered, as far as it is read. */
export interface PutEventsAnswer {
  readonly FailedEntryCount?: number;
  readonly Entries?: readonly { readonly EventId?: string; readonly ErrorCode?: string; readonly ErrorMessage?: string }[];
}

/**
 * The event id of a one-entry PutEvents answer.
 *
 * @throws {EventPublishError} when the entry failed (PutEvents reports per-entry failures with status 200) or has no id.
 */
export function eventIdOf(output: PutEventsAnswer, busName: string, detailType: string): string {
  const entry = output.Entries?.[0];
  if ((output.FailedEntryCount ?? 0) > 0 || !entry?.EventId) {
    throw new EventPublishError(
      `putting "${detailType}" on bus ${busName}: ${entry?.ErrorCode ?? 'unknown'}: ${entry?.ErrorMessage ?? 'no event id returned'}`,
      entry?.ErrorCode ?? 'Unknown',
    );
  }
  return entry.EventId;
}
