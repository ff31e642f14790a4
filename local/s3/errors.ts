/** An S3 error as the REST XML protocol returns it: a stable `code`, the HTTP status and the resource. */
export class S3Error extends Error {
  constructor(readonly code: string, message: string, readonly status: number, readonly resource: string = '') {
    super(message);
    this.name = 'S3Error';
  }
}

/** The bucket does not exist (404 NoSuchBucket). */
export function noSuchBucket(bucket: string): S3Error {
  return new S3Error('NoSuchBucket', `The specified bucket does not exist: received bucket ${bucket}`, 404, `/${bucket}`);
}

/** The key does not exist (404 NoSuchKey). */
export function noSuchKey(bucket: string, key: string): S3Error {
  return new S3Error('NoSuchKey', `The specified key does not exist: received ${bucket}/${key}`, 404, `/${bucket}/${key}`);
}

/** The version does not exist (404 NoSuchVersion). */
export function noSuchVersion(bucket: string, key: string, versionId: string): S3Error {
  return new S3Error('NoSuchVersion', `The specified version does not exist: received ${bucket}/${key} version ${versionId}`, 404, `/${bucket}/${key}`);
}

/** A body framed with aws-chunked encoding that does not follow the framing. */
export class AwsChunkedError extends S3Error {
  constructor(offset: number, expected: string) {
    super('IncompleteBody', `aws-chunked body: at byte ${offset}, expected ${expected}`, 400);
  }
}
