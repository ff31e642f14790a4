import { waitForItem } from './wait';

/** Who put a message on a dead-letter queue or failure destination. */
export type DeadLetterSource = 'eventbridge-target' | 'scheduler-target' | 'lambda-dead-letter-queue' | 'lambda-destination';

/** One message sent to a queue (or topic, bus) ARN that the emulator does not run: kept for tests and operators to read. */
export interface DeadLetter {
  /** The queue, topic or bus ARN the template named. */
  readonly destination: string;
  readonly source: DeadLetterSource;
  /** The message body as the sender writes it (an event, a payload or an invocation record). */
  readonly body: unknown;
  /** Message attributes (`ERROR_CODE`, `RequestID`, ...), as the sender sets them. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Emulator clock, ms. */
  readonly at: number;
}

/** Where EventBridge, Scheduler and Lambda send what they gave up on. */
export interface DeadLetterSink {
  put(letter: DeadLetter): void;
}

/**
 * The messages sent to dead-letter queues and on-failure destinations. SQS is
 * recorded, not emulated, so the queue itself holds nothing: this store is
 * what the queue would hold, by ARN.
 *
 * @example
 * const letters = new DeadLetters();
 * await letters.waitFor((l) => l.source === 'lambda-destination', 10_000, 'the failure record');
 */
export class DeadLetters implements DeadLetterSink {
  private readonly letters: DeadLetter[] = [];
  private readonly listeners = new Set<(letter: DeadLetter) => void>();

  put(letter: DeadLetter): void {
    this.letters.push(letter);
    for (const listener of [...this.listeners]) listener(letter);
  }

  /** Every message so far (of one destination), oldest first. */
  messages(destination?: string): readonly DeadLetter[] {
    return destination === undefined ? [...this.letters] : this.letters.filter((l) => l.destination === destination);
  }

  /** Resolves with the first message (already sent or still to come) that matches; rejects after `timeoutMs` of wall time. */
  waitFor(predicate: (letter: DeadLetter) => boolean, timeoutMs = 10_000, description = 'the predicate'): Promise<DeadLetter> {
    return waitForItem({ find: (p) => this.letters.find(p), listeners: this.listeners }, predicate, timeoutMs,
      () => new Error(`no dead letter matched ${description} within ${timeoutMs} ms (${this.letters.length} so far)`));
  }
}
