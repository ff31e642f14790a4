import { BundleError, formatBundleMessage } from '../../shared/config-bundle/errors';

describe('BundleError', () => {
  it.each([
    [
      { code: 'PATH_TRAVERSAL', path: '../x', problem: 'escapes the root', expected: 'a relative path inside the configuration', origin: 'conf.tgz', sourceKind: 'archive' },
      'reading config archive conf.tgz: entry "../x" escapes the root (expected a relative path inside the configuration)',
    ],
    [
      { code: 'NOT_FOUND', problem: 'does not exist', expected: 'a directory or an archive', origin: 'static' },
      'reading config source static: does not exist (expected a directory or an archive)',
    ],
    [
      { code: 'INVALID_NAME', path: 'a\nb', problem: 'contains a control character', expected: 'names without control characters', origin: 'd', sourceKind: 'directory' },
      'reading config directory d: entry "a\\nb" contains a control character (expected names without control characters)',
    ],
  ] as const)('formats %j', (details, message) => {
    expect(formatBundleMessage(details)).toBe(message);
    const error = new BundleError(details);
    expect(error.message).toBe(message);
    expect(error).toMatchObject({ name: 'BundleError', code: details.code, expected: details.expected, origin: details.origin, retryable: false });
    expect(error.path).toBe('path' in details ? details.path : undefined);
  });

  it('keeps the cause and the retryable flag', () => {
    const cause = new Error('ECONNRESET');
    const error = new BundleError({ code: 'SOURCE_READ_FAILED', problem: 'stream failed', expected: 'a readable stream', origin: 's3://b/k@v1', cause, retryable: true });
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(true);
    expect(error).toBeInstanceOf(Error);
  });
});
