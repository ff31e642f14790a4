import { isImmutableTagRejection, parseErrorBody } from '../../../shared/oci/registry';

describe('parseErrorBody', () => {
  it.each([
    ['{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:x"}]}', [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }]],
    ['{"errors":[{"code":"DENIED"},{"code":"UNAUTHORIZED","message":"m"}]}', [{ code: 'DENIED', message: '' }, { code: 'UNAUTHORIZED', message: 'm' }]],
    ['{"errors":[{"message":"no code"}, 7, null]}', [{ code: 'UNKNOWN', message: 'no code' }]],
    ['{"errors":"not a list"}', []],
    ['<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>', []],
    ['null', []],
    ['', []],
  ])('%s', (text, expected) => {
    expect(parseErrorBody(text)).toEqual(expected);
  });
});

describe('isImmutableTagRejection', () => {
  const ecrNow = { code: 'TAG_INVALID', message: "The image tag 'cfg-1' already exists in the 'portal-api' repository and cannot be overwritten because the tag is immutable." };
  const ecrBefore = { code: 'TAG_INVALID', message: "The image tag 'cfg-1' already exists in the 'portal-api' repository and cannot be overwritten because the repository is immutable." };
  it.each([
    ['ECR, current wording', 400, [ecrNow], true],
    ['ECR, older wording', 400, [ecrBefore], true],
    ['exception name as code', 400, [{ code: 'ImageTagAlreadyExistsException', message: '' }], true],
    ['exception name in the message', 400, [{ code: 'TAG_INVALID', message: 'ImageTagAlreadyExistsException: tag exists' }], true],
    ['409 with the ECR entry', 409, [ecrNow], true],
    ['another TAG_INVALID', 400, [{ code: 'TAG_INVALID', message: 'manifest tag did not match URI' }], false],
    ['MANIFEST_INVALID', 400, [{ code: 'MANIFEST_INVALID', message: 'already exists, cannot be overwritten' }], false],
    ['wrong status', 500, [ecrNow], false],
    ['no entries', 400, [], false],
  ])('%s → %s', (_name, status, entries, expected) => {
    expect(isImmutableTagRejection(status, entries)).toBe(expected);
  });
});
