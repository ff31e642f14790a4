/**
 * The S3 object metadata (`x-amz-meta-uploaded-at`) that `wickedctl upload`
 * writes on a config archive: the uploader's clock when it started the upload,
 * ISO 8601 to the millisecond.
 */
export const UPLOADED_AT_METADATA = 'uploaded-at';

/**
 * When an upload was asked for: the S3 `Object Created` event's `time`, which
 * EventBridge gives to the second, refined to the millisecond by the
 * uploader's {@link UPLOADED_AT_METADATA} when that falls in the same second.
 * S3's clock decides the order across seconds, so a skewed or forged uploader
 * clock moves an upload within its second at most; within one second, uploads
 * of one uploader keep their order. Undefined without a parseable event time.
 *
 * @example
 * uploadRequestedAt('2026-12-07T10:00:05Z', { 'uploaded-at': '2026-12-07T10:00:05.250Z' }) // '2026-12-07T10:00:05.250Z'
 * uploadRequestedAt('2026-12-07T10:00:05Z', { 'uploaded-at': '2026-12-07T10:00:04.990Z' }) // '2026-12-07T10:00:05.000Z'
 */
export function uploadRequestedAt(eventTime: string | undefined, metadata: Readonly<Record<string, string>> | undefined): string | undefined {
  const second = eventTime === undefined ? NaN : Math.floor(Date.parse(eventTime) / 1000) * 1000;
  if (Number.isNaN(second)) return undefined;
  const raw = metadata?.[UPLOADED_AT_METADATA]?.trim() ?? '';
  // Only a full UTC timestamp counts: Date.parse would read a bare date or a local time too.
  const uploaded = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(raw) ? Date.parse(raw) : NaN;
  return new Date(!Number.isNaN(uploaded) && uploaded >= second && uploaded < second + 1000 ? uploaded : second).toISOString();
}
