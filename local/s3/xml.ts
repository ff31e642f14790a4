import type { S3Error } from './errors';
import type { ListPage } from './store';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Escapes text for an XML element. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** The REST XML error body: `<Error><Code>...</Code><Message>...</Message>...</Error>`. */
export function errorXml(error: S3Error): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message><Resource>${escapeXml(error.resource)}</Resource><RequestId>local</RequestId></Error>`;
}

/** GetBucketVersioning's answer. */
export function versioningXml(status: 'Enabled' | 'Suspended' | undefined): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<VersioningConfiguration xmlns="${NS}">${status ? `<Status>${status}</Status>` : ''}</VersioningConfiguration>`;
}

/** ListObjectsV2's `ListBucketResult`. */
export function listObjectsV2Xml(input: {
  bucket: string;
  prefix: string | undefined;
  delimiter: string | undefined;
  maxKeys: number;
  continuationToken: string | undefined;
  page: ListPage;
}): string {
  const { page } = input;
  const contents = page.contents.map((object) =>
    `<Contents><Key>${escapeXml(object.key)}</Key><LastModified>${new Date(object.lastModified).toISOString()}</LastModified><ETag>${escapeXml(object.etag)}</ETag><Size>${object.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`);
  const prefixes = page.commonPrefixes.map((prefix) => `<CommonPrefixes><Prefix>${escapeXml(prefix)}</Prefix></CommonPrefixes>`);
  const parts = [
    `<Name>${escapeXml(input.bucket)}</Name>`,
    `<Prefix>${escapeXml(input.prefix ?? '')}</Prefix>`,
    input.delimiter ? `<Delimiter>${escapeXml(input.delimiter)}</Delimiter>` : '',
    `<KeyCount>${page.contents.length + page.commonPrefixes.length}</KeyCount>`,
    `<MaxKeys>${input.maxKeys}</MaxKeys>`,
    `<IsTruncated>${page.nextContinuationToken ? 'true' : 'false'}</IsTruncated>`,
    input.continuationToken ? `<ContinuationToken>${escapeXml(input.continuationToken)}</ContinuationToken>` : '',
    page.nextContinuationToken ? `<NextContinuationToken>${escapeXml(page.nextContinuationToken)}</NextContinuationToken>` : '',
    ...contents,
    ...prefixes,
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="${NS}">${parts.join('')}</ListBucketResult>`;
}
