import type { PutEventsAnswer } from '../adapters/event-publisher';
import { eventIdOf, putEventsInput } from '../adapters/event-publisher';
import type { AwsHttpClient } from './client';

/**
 * Puts the control plane's own events (source `wicked.control-plane`) on a
 * bus over the lean client: the same port as the SDK-based `EventPublisher`,
 * for the build-image function.
 *
 * @example
 * await new HttpEventPublisher({ busName: 'default', client: new AwsHttpClient({ service: 'events', credentials }) }).publish('Portal Image Built', detail);
 */
export class HttpEventPublisher {
  private readonly client: AwsHttpClient;
  private readonly busName: string;

  constructor(options: { busName: string; client: AwsHttpClient }) {
    if (options.client.service !== 'events') throw new TypeError(`HttpEventPublisher needs an events client, got ${options.client.service}`);
    this.client = options.client;
    this.busName = options.busName;
  }

  /** Publishes one event; rejects when the entry failed (PutEvents reports per-entry failures with status 200). */
  async publish(detailType: string, detail: object, resources: string[] = []): Promise<string> {
    const output = await this.client.callJson<PutEventsAnswer>('PutEvents', putEventsInput(this.busName, detailType, detail, resources));
    return eventIdOf(output, this.busName, detailType);
  }
}
