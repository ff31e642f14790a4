import { randomUUID } from 'node:crypto';
import type { Clock } from '../kernel/clock';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../kernel/events';
import { InvalidSnsParameterError, SnsWaitTimeoutError, TopicNotFoundError } from './errors';
import { waitForItem } from '../kernel/wait';

/** One published message, as the emulator keeps it. */
export interface PublishedMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  /** String and Number attributes by name (Binary ones as base64). */
  readonly attributes: Readonly<Record<string, string>>;
  /** Emulated time of the publish, ISO 8601. */
  readonly timestamp: string;
}

/** What Publish receives, decoded from the query request. */
export interface PublishRequest {
  readonly topicArn?: string;
  readonly message?: string;
  readonly subject?: string;
  readonly attributes: readonly { readonly name: string; readonly dataType: string; readonly value?: string }[];
}

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const ATTRIBUTE_NAME = /^(?!aws\.|amazon\.)(?!.*\.\.)(?!\.)[A-Za-z0-9_.-]{1,256}(?<!\.)$/i;
const MAX_MESSAGE_BYTES = 262_144;

/**
 * The topics of the emulated SNS and every message published to them, with
 * the checks of the "Publish" API reference that the control plane depends
 * on: the topic exists, a non-empty message within 256 KiB, an ASCII subject
 * under 100 characters without line breaks, at most 10 valid attributes.
 *
 * @example
 * const topics = new SnsTopics(clock);
 * const arn = topics.createTopic('wicked-dev-notifications');
 * topics.publish({ topicArn: arn, message: 'hello', attributes: [] });
 */
export class SnsTopics {
  private readonly topics = new Set<string>();
  private readonly published: PublishedMessage[] = [];
  private readonly listeners = new Set<(message: PublishedMessage) => void>();

  constructor(private readonly clock: Clock) {}

  /** Creates a topic (idempotent, as CreateTopic is) and returns its ARN. */
  createTopic(name: string): string {
    if (!TOPIC_NAME.test(name)) throw new InvalidSnsParameterError('Name', JSON.stringify(name), '1-256 of A-Z a-z 0-9 _ - with an optional .fifo suffix');
    const arn = `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${name}`;
    this.topics.add(arn);
    return arn;
  }

  /** DeleteTopic: removes a topic; deleting a topic that does not exist succeeds ("DeleteTopic", Amazon SNS API Reference). */
  deleteTopic(arn: string): void {
    this.topics.delete(arn);
  }

  /** ARNs of every topic. */
  listTopics(): string[] {
    return [...this.topics].sort();
  }

  /** Messages published so far, oldest first; only those of `topicArn` when given. */
  messages(topicArn?: string): readonly PublishedMessage[] {
    return topicArn === undefined ? [...this.published] : this.published.filter((message) => message.topicArn === topicArn);
  }

  /** Checks and records one Publish; returns the message id. */
  publish(request: PublishRequest): string {
    const topicArn = request.topicArn ?? '';
    if (!topicArn) throw new InvalidSnsParameterError('TopicArn or TargetArn', 'neither', 'a topic ARN (phone numbers are not emulated)');
    if (!this.topics.has(topicArn)) throw new TopicNotFoundError(topicArn);
    const message = request.message ?? '';
    if (message === '') throw new InvalidSnsParameterError('Message', 'an empty message', 'a non-empty message');
    if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) throw new InvalidSnsParameterError('Message', `${Buffer.byteLength(message)} bytes`, `at most ${MAX_MESSAGE_BYTES} bytes`);
    if (request.subject !== undefined) checkSubject(request.subject);
    const published: PublishedMessage = {
      messageId: randomUUID(),
      topicArn,
      ...(request.subject !== undefined ? { subject: request.subject } : {}),
      message,
      attributes: checkAttributes(request.attributes),
      timestamp: new Date(this.clock.now()).toISOString(),
    };
    this.published.push(published);
    for (const listener of [...this.listeners]) listener(published);
    return published.messageId;
  }

  /** Calls `listener` with every message published from now on; returns a function that stops it. */
  subscribe(listener: (message: PublishedMessage) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** Resolves with the first message (published already or still to come) that satisfies `predicate`; rejects after `timeoutMs` of wall time. */
  waitFor(predicate: (message: PublishedMessage) => boolean, timeoutMs = 10_000, description = 'the predicate'): Promise<PublishedMessage> {
    return waitForItem({ find: (p) => this.published.find(p), listeners: this.listeners }, predicate, timeoutMs, () => new SnsWaitTimeoutError(description, timeoutMs));
  }
}

function checkSubject(subject: string): void {
  if (subject.length === 0 || subject.length >= 100) throw new InvalidSnsParameterError('Subject', `${subject.length} characters`, '1 to 99 characters');
  if (!/^[\x20-\x7e]+$/.test(subject)) throw new InvalidSnsParameterError('Subject', JSON.stringify(subject), 'printable ASCII without line breaks or control characters');
  if (subject.startsWith(' ')) throw new InvalidSnsParameterError('Subject', JSON.stringify(subject), 'a subject that starts with a letter, digit or punctuation mark');
}

function checkAttributes(attributes: PublishRequest['attributes']): Record<string, string> {
  if (attributes.length > 10) throw new InvalidSnsParameterError('MessageAttributes', `${attributes.length} attributes`, 'at most 10');
  const result: Record<string, string> = {};
  for (const attribute of attributes) {
    if (!ATTRIBUTE_NAME.test(attribute.name)) throw new InvalidSnsParameterError('MessageAttributes', `the name ${JSON.stringify(attribute.name)}`, 'A-Z a-z 0-9 _ - . without leading, trailing or doubled periods and no AWS./Amazon. prefix');
    if (!/^(String|Number|Binary)(\..+)?$/.test(attribute.dataType)) throw new InvalidSnsParameterError('MessageAttributes', `the data type ${JSON.stringify(attribute.dataType)} of ${attribute.name}`, 'String, Number or Binary');
    if (!attribute.value) throw new InvalidSnsParameterError('MessageAttributes', `an empty value for ${attribute.name}`, 'a non-empty value');
    result[attribute.name] = attribute.value;
  }
  return result;
}
