import { decideRetry, DEFAULT_RETRY_POLICY, isRetryableFailure, parseRetryAfter, RegistryError, resolveRetryPolicy, withRetry } from '../../../shared/oci/registry';
import type { FailureFacts, RetryPolicy } from '../../../shared/oci/registry';

const POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 350, maxElapsedMs: 2000 };

describe('isRetryableFailure', () => {
  it.each<[FailureFacts, boolean]>([
    [{ status: 429 }, true],
    [{ status: 408 }, true],
    [{ status: 500 }, true],
    [{ status: 502 }, true],
    [{ status: 503 }, true],
    [{ status: 504 }, true],
    [{ status: 599 }, true],
    [{ status: 501 }, false],
    [{ status: 505 }, false],
    [{ status: 400 }, false],
    [{ status: 401 }, false],
    [{ status: 403 }, false],
    [{ status: 404 }, false],
    [{ status: 409 }, false],
    [{ networkCode: 'ECONNRESET' }, true],
    [{ networkCode: 'ECONNREFUSED' }, true],
    [{ networkCode: 'UND_ERR_SOCKET' }, true],
    [{ networkCode: 'ETIMEDOUT' }, true],
    [{ networkCode: 'EAI_AGAIN' }, true],
    [{ networkCode: 'ENOTFOUND' }, false],
    [{ networkCode: 'CERT_HAS_EXPIRED' }, false],
    [{ networkCode: 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH' }, false],
    [{}, false],
  ])('%j → %s', (facts, expected) => {
    expect(isRetryableFailure(facts)).toBe(expected);
  });
});

describe('decideRetry', () => {
  it.each([
    ['first retry, full window', { attempt: 1, elapsedMs: 0, failure: { status: 503 } }, 0.999, { retry: true, delayMs: 99 }],
    ['first retry, no jitter delay', { attempt: 1, elapsedMs: 0, failure: { status: 503 } }, 0, { retry: true, delayMs: 0 }],
    ['second retry doubles the window', { attempt: 2, elapsedMs: 50, failure: { status: 500 } }, 0.5, { retry: true, delayMs: 100 }],
    ['third retry is capped at maxDelayMs', { attempt: 3, elapsedMs: 100, failure: { networkCode: 'ECONNRESET' } }, 0.5, { retry: true, delayMs: 175 }],
    ['Retry-After wins over a shorter jitter', { attempt: 1, elapsedMs: 0, failure: { status: 429, retryAfterMs: 1000 } }, 0.5, { retry: true, delayMs: 1000 }],
    ['Retry-After may exceed maxDelayMs within the budget', { attempt: 2, elapsedMs: 0, failure: { status: 429, retryAfterMs: 1500 } }, 0.1, { retry: true, delayMs: 1500 }],
    ['random outside [0,1) is clamped', { attempt: 1, elapsedMs: 0, failure: { status: 503 } }, 7, { retry: true, delayMs: 100 }],
  ])('%s', (_name, input, random, expected) => {
    expect(decideRetry(input, POLICY, random)).toEqual(expected);
  });

  it.each([
    ['a non-retryable status', { attempt: 1, elapsedMs: 0, failure: { status: 400 } }, /not retryable/],
    ['the last attempt', { attempt: 4, elapsedMs: 0, failure: { status: 503 } }, /after 4 attempts/],
    ['a wait that passes the time budget', { attempt: 2, elapsedMs: 1950, failure: { status: 503 } }, /2000 ms budget/],
    ['a Retry-After that passes the time budget', { attempt: 1, elapsedMs: 0, failure: { status: 429, retryAfterMs: 5000 } }, /waiting 5000 ms/],
  ])('stops on %s', (_name, input, reason) => {
    const decision = decideRetry(input, POLICY, 0.9);
    expect(decision.retry).toBe(false);
    expect(decision.retry === false && decision.reason).toMatch(reason);
  });

  it('never waits longer than the window or the time budget allows (any random)', () => {
    for (let attempt = 1; attempt < POLICY.maxAttempts; attempt++) {
      for (const random of [0, 0.25, 0.5, 0.75, 0.9999]) {
        const decision = decideRetry({ attempt, elapsedMs: 0, failure: { status: 503 } }, POLICY, random);
        expect(decision.retry && decision.delayMs).toBeLessThanOrEqual(Math.min(POLICY.maxDelayMs, POLICY.baseDelayMs * 2 ** (attempt - 1)));
      }
    }
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it.each<[string | null, number | undefined]>([
    ['3', 3000],
    [' 0 ', 0],
    ['Wed, 01 Jan 2025 00:00:10 GMT', 10_000],
    ['Tue, 31 Dec 2024 23:59:00 GMT', 0],
    ['soon', undefined],
    ['-1', undefined],
    ['', undefined],
    [null, undefined],
  ])('%j → %j', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('resolveRetryPolicy', () => {
  it('fills in defaults', () => {
    expect(resolveRetryPolicy()).toEqual(DEFAULT_RETRY_POLICY);
    expect(resolveRetryPolicy({ maxAttempts: 2 })).toEqual({ ...DEFAULT_RETRY_POLICY, maxAttempts: 2 });
  });
  it.each([
    [{ maxAttempts: 0 }, /at least 1/],
    [{ baseDelayMs: -1 }, /retry.baseDelayMs must be a finite number >= 0, received -1/],
    [{ maxElapsedMs: Number.NaN }, /received NaN/],
    [{ attempts: 3 } as unknown as Partial<RetryPolicy>, /unknown retry option "attempts"/],
  ])('refuses %j', (partial, message) => {
    expect(() => resolveRetryPolicy(partial)).toThrow(message);
  });
});

describe('withRetry', () => {
  const fakeRuntime = () => {
    let clock = 0;
    const sleeps: number[] = [];
    return { sleeps, runtime: { now: () => clock, random: () => 0.5, sleep: async (ms: number) => void (sleeps.push(ms), (clock += ms)) } };
  };
  const transient = () => new RegistryError('boom', { code: 'UNKNOWN', status: 503, retryable: true });

  it('retries transient failures and returns the first success', async () => {
    const { sleeps, runtime } = fakeRuntime();
    let calls = 0;
    const result = await withRetry(async (attempt) => {
      calls++;
      if (attempt < 3) throw transient();
      return `done on ${attempt}`;
    }, POLICY, runtime);
    expect(result).toBe('done on 3');
    expect(calls).toBe(3);
    expect(sleeps).toEqual([50, 100]);
  });

  it('rethrows the last error with the attempts recorded', async () => {
    const { runtime } = fakeRuntime();
    const error = await withRetry(async () => {
      throw transient();
    }, POLICY, runtime).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ retryable: true, attempts: 4 });
    expect((error as Error).message).toBe('boom (gave up after 4 attempts)');
  });

  it('does not retry non-retryable registry errors or foreign errors', async () => {
    const { runtime } = fakeRuntime();
    let calls = 0;
    await expect(withRetry(async () => {
      calls++;
      throw new RegistryError('denied', { code: 'DENIED', status: 403 });
    }, POLICY, runtime)).rejects.toMatchObject({ code: 'DENIED', attempts: 1 });
    await expect(withRetry(async () => {
      calls++;
      throw new TypeError('bug');
    }, POLICY, runtime)).rejects.toThrow(TypeError);
    expect(calls).toBe(2);
  });
});
