import type { MessageAttributeValue, PublishInput } from '@aws-sdk/client-sns';
import type { Notification } from '../deploy/adapters/notifier';
import { NotifyError } from './errors';

/** SNS subjects must be shorter than 100 characters ("Publish" API reference). */
export const MAX_SUBJECT_LENGTH = 99;
/** Most message attributes one SNS message carries. */
export const MAX_MESSAGE_ATTRIBUTES = 10;
/** Largest SNS message body in bytes (256 KiB, attributes included; the body is capped below that). */
export const MAX_MESSAGE_BYTES = 240 * 1024;

const ATTRIBUTE_NAME = /^(?!aws\.|amazon\.)(?!.*\.\.)(?!\.)[A-Za-z0-9_.-]{1,256}(?<!\.)$/i;

/**
 * An SNS subject from any text: printable ASCII only (other characters become
 * `?`, line breaks and tabs a space), no leading blanks, at most
 * {@link MAX_SUBJECT_LENGTH} characters. Undefined when nothing is left.
 *
 * @example
 * toSnsSubject('wicked prod: déploiement\nfailed') // 'wicked prod: d?ploiement failed'
 */
export function toSnsSubject(text: string): string | undefined {
  const ascii = text.replace(/[\r\n\t]+/g, ' ').replace(/[^\x20-\x7e]/g, '?').trimStart();
  const trimmed = ascii.length > MAX_SUBJECT_LENGTH ? `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3)}...` : ascii;
  return trimmed.trim() === '' ? undefined : trimmed;
}

/**
 * String message attributes from a notification's attributes, checked with
 * SNS's rules: names of letters, digits, `_`, `-` and `.` (no leading,
 * trailing or doubled period, no `AWS.`/`Amazon.` prefix), non-empty values,
 * at most {@link MAX_MESSAGE_ATTRIBUTES}. Empty values are left out (SNS
 * refuses them).
 *
 * @example
 * toMessageAttributes({ env: 'prod', outcome: 'failed' }) // { env: { DataType: 'String', StringValue: 'prod' }, ... }
 */
export function toMessageAttributes(attributes: Readonly<Record<string, string>>): Record<string, MessageAttributeValue> {
  const entries = Object.entries(attributes).filter(([, value]) => value !== '');
  if (entries.length > MAX_MESSAGE_ATTRIBUTES) {
    throw new NotifyError('TOO_MANY_ATTRIBUTES', `notification attributes: received ${entries.length} (${entries.map(([name]) => name).join(', ')}), expected at most ${MAX_MESSAGE_ATTRIBUTES}`);
  }
  const result: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of entries) {
    if (!ATTRIBUTE_NAME.test(name)) {
      throw new NotifyError('INVALID_ATTRIBUTE', `notification attribute name ${JSON.stringify(name)}: expected 1-256 of A-Z a-z 0-9 _ - . without leading, trailing or doubled periods and no AWS./Amazon. prefix`, { context: { attribute: name } });
    }
    result[name] = { DataType: 'String', StringValue: value };
  }
  return result;
}

/** The message body, cut at {@link MAX_MESSAGE_BYTES} UTF-8 bytes on a character boundary. */
export function toSnsMessage(message: string): string {
  const bytes = Buffer.from(message, 'utf8');
  if (bytes.length <= MAX_MESSAGE_BYTES) return message.length === 0 ? '(no message)' : message;
  const cut = bytes.subarray(0, MAX_MESSAGE_BYTES - 32).toString('utf8').replace(/\uFFFD$/, '');
  return `${cut}\n[truncated: ${bytes.length} bytes]`;
}

/**
 * The PublishCommand input of one notification to `topicArn`.
 *
 * @example
 * toPublishInput(topicArn, { subject: 'wicked dev: deployment d-1 stuck', message, attributes: { env: 'dev', outcome: 'stuck' } });
 */
export function toPublishInput(topicArn: string, notification: Notification): PublishInput {
  const subject = toSnsSubject(notification.subject);
  return {
    TopicArn: topicArn,
    Message: toSnsMessage(notification.message),
    ...(subject !== undefined ? { Subject: subject } : {}),
    MessageAttributes: toMessageAttributes(notification.attributes),
  };
}
