import { LimitExceededException as BackupLimitExceededException, ServiceUnavailableException } from '@aws-sdk/client-backup';
import {
  InternalServerError, ProvisionedThroughputExceededException, ReplicatedWriteConflictException, RequestLimitExceeded,
  ThrottlingException as DynamoDBThrottlingException,
} from '@aws-sdk/client-dynamodb';
import { ECSClient, ECSServiceException, LimitExceededException, ListClustersCommand, ServerException } from '@aws-sdk/client-ecs';
import { InternalServerException, ThrottlingException } from '@aws-sdk/client-scheduler';
import { InternalErrorException, KMSThrottlingException, NotFoundException, ThrottledException } from '@aws-sdk/client-sns';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { awsErrorName, awsErrorStatus, isRetryableAwsError } from '../../shared/adapters/aws-error';

/** An SDK-shaped error: a name, a message and (when an answer arrived) its HTTP status. */
function sdkError(name: string, status?: number, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: status === undefined ? { attempts: 3 } : { httpStatusCode: status }, ...fields });
}

/** A Node network error as the HTTP handler rejects with it: a code and no `$metadata.httpStatusCode`. */
function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code, $metadata: { attempts: 3, totalRetryDelay: 300 } });
}

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('awsErrorName and awsErrorStatus', () => {
  it.each([
    ['an SDK exception', new NotFoundException({ message: 'no topic', ...meta(404) }), 'NotFoundException', 404],
    ['a plain object', { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }, 'SlowDown', 503],
    ['an error that never got an answer', networkError('ECONNRESET'), 'Error', undefined],
    ['an object without a name', { message: 'x' }, 'Unknown', undefined],
    ['an empty name', { name: '' }, 'Unknown', undefined],
    ['a string', 'boom', 'Unknown', undefined],
    ['undefined', undefined, 'Unknown', undefined],
    ['null', null, 'Unknown', undefined],
    ['a status that is not a number', { name: 'X', $metadata: { httpStatusCode: '500' } }, 'X', undefined],
  ])('read %s', (_case, error, name, status) => {
    expect(awsErrorName(error)).toBe(name);
    expect(awsErrorStatus(error)).toBe(status);
  });
});

describe('isRetryableAwsError', () => {
  describe('HTTP status', () => {
    it.each([
      [500, true], [502, true], [503, true], [504, true], [501, true], [599, true], [429, true],
      [400, false], [403, false], [404, false], [409, false], [413, false], [499, false], [200, false],
    ])('an unnamed failure with status %d is retryable=%s', (status, retryable) => {
      expect(isRetryableAwsError(sdkError('SomeServiceError', status))).toBe(retryable);
    });

    it('a quota error sent with 429 is retryable by its status', () => {
      expect(isRetryableAwsError(new LimitExceededException({ message: 'rate', ...meta(429) }))).toBe(true);
    });
  });

  describe('throttling and server error names, whatever the status', () => {
    it.each([
      'Throttling', 'ThrottlingException', 'ThrottledException', 'KMSThrottlingException', 'EC2ThrottledException', 'RequestThrottled',
      'TooManyRequestsException', 'RequestLimitExceeded', 'ProvisionedThroughputExceededException', 'SlowDown',
      'ServiceUnavailable', 'ServiceUnavailableException', 'InternalError', 'InternalErrorException', 'InternalServerError',
      'InternalFailure', 'ServerException', 'InternalServerException', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError',
    ])('%s (400) is retryable', (name) => {
      expect(isRetryableAwsError(sdkError(name, 400))).toBe(true);
    });

    it.each([
      'ValidationException', 'AccessDeniedException', 'ResourceNotFoundException', 'ConditionalCheckFailedException', 'NoSuchKey',
      'LimitExceededException', 'AttributeLimitExceededException', 'TopicLimitExceededException', 'TooManyTagsException',
      'InvalidParameterValueException', 'ServerExceptionHandlerMissing', 'NotInternalErrorReally',
    ])('%s (400) is final', (name) => {
      expect(isRetryableAwsError(sdkError(name, 400))).toBe(false);
    });

    it.each([
      ['scheduler ThrottlingException', new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', ...meta(400) })],
      ['scheduler InternalServerException', new InternalServerException({ message: 'oops', Message: 'oops', ...meta(500) })],
      ['SNS ThrottledException', new ThrottledException({ message: 'Rate exceeded', ...meta(400) })],
      ['SNS KMSThrottlingException', new KMSThrottlingException({ message: 'KMS is busy', ...meta(400) })],
      ['SNS InternalErrorException', new InternalErrorException({ message: 'try again', ...meta(500) })],
      ['ECS ServerException', new ServerException({ message: 'try again', ...meta(500) })],
      ['ECS throttling (not modelled: the service base class)', new ECSServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', ...meta(400) })],
      ['Backup ServiceUnavailableException', new ServiceUnavailableException({ message: 'later', ...meta(503) })],
      ['DynamoDB ThrottlingException', new DynamoDBThrottlingException({ message: 'slow', ...meta(400) })],
      ['DynamoDB ProvisionedThroughputExceededException', new ProvisionedThroughputExceededException({ message: 'slow', ...meta(400) })],
      ['DynamoDB RequestLimitExceeded', new RequestLimitExceeded({ message: 'slow', ...meta(400) })],
      ['DynamoDB InternalServerError', new InternalServerError({ message: 'oops', ...meta(500) })],
    ])('the real %s is retryable', (_case, error) => {
      expect(isRetryableAwsError(error)).toBe(true);
    });

    it.each([
      ['SNS NotFoundException', new NotFoundException({ message: 'no topic', ...meta(404) })],
      ['ECS LimitExceededException (a quota)', new LimitExceededException({ message: 'The limit for the resource was exceeded', ...meta(400) })],
      ['Backup LimitExceededException (a quota)', new BackupLimitExceededException({ message: 'too many items', ...meta(400) })],
    ])('the real %s is final', (_case, error) => {
      expect(isRetryableAwsError(error)).toBe(false);
    });
  });

  describe('the SDK retryable marker', () => {
    it('an exception the SDK marks $retryable is retryable', () => {
      const error = new ReplicatedWriteConflictException({ message: 'conflict', ...meta(400) });
      expect(error.$retryable).toBeDefined();
      expect(isRetryableAwsError(error)).toBe(true);
    });

    it.each([
      ['an empty marker', {}, true],
      ['a throttling marker', { throttling: true }, true],
      ['no marker', undefined, false],
      ['a null marker', null, false],
    ])('a plain error with %s is retryable=%s', (_case, marker, retryable) => {
      expect(isRetryableAwsError(sdkError('WriteConflict', 400, { $retryable: marker }))).toBe(retryable);
    });
  });

  describe('network failures that never got an HTTP answer', () => {
    it.each(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN'])('%s is retryable', (code) => {
      expect(isRetryableAwsError(networkError(code))).toBe(true);
    });

    it.each(['ENOTFOUND', 'EACCES', 'ERR_INVALID_URL', 'ERR_SOMETHING'])('%s is final (ENOTFOUND: the host does not exist, a retry only delays the error)', (code) => {
      expect(isRetryableAwsError(networkError(code))).toBe(false);
    });

    it('finds the code on the cause chain and on the attempts of an AggregateError', () => {
      expect(isRetryableAwsError(new Error('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'ECONNRESET' }) }))).toBe(true);
      expect(isRetryableAwsError(new AggregateError([Object.assign(new Error('::1'), { code: 'ECONNREFUSED' })], 'connect failed'))).toBe(true);
    });

    it('a network code on an error that did get an HTTP answer is not what decides', () => {
      expect(isRetryableAwsError(sdkError('ValidationException', 400, { code: 'ECONNRESET' }))).toBe(false);
    });

    it('TimeoutError from the SDK handler is retryable, AbortError (the caller cancelled) is not', () => {
      expect(isRetryableAwsError(Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }))).toBe(true);
      expect(isRetryableAwsError(Object.assign(new Error('aborted'), { name: 'AbortError', code: 'ECONNRESET' }))).toBe(false);
    });
  });

  describe('programming errors', () => {
    it.each([
      ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'Items')")],
      ['a RangeError', new RangeError('Invalid time value')],
      ['a plain Error', new Error('Unsupported type passed: function')],
      ['a string', 'boom'],
      ['undefined', undefined],
      ['null', null],
    ])('%s without $metadata is final', (_case, error) => {
      expect(isRetryableAwsError(error)).toBe(false);
    });
  });

  describe('extra service-specific names', () => {
    it('adds names for one module without changing the common rules', () => {
      const quota = new LimitExceededException({ message: 'rate', ...meta(400) });
      expect(isRetryableAwsError(quota)).toBe(false);
      expect(isRetryableAwsError(quota, /^LimitExceededException$/)).toBe(true);
      expect(isRetryableAwsError(sdkError('ValidationException', 400), /^LimitExceededException$/)).toBe(false);
      expect(isRetryableAwsError(sdkError('ThrottlingException', 400), /^Nothing$/)).toBe(true);
    });
  });

  describe('errors a real client raises', () => {
    it('a 400 ThrottlingException answer is retryable, a 400 ClientException answer is final', async () => {
      // Prepare
      const answers = [['ThrottlingException', 'Rate exceeded'], ['ClientException', 'bad cluster']];
      const server = createServer((request, response) => {
        request.resume();
        const [type, message] = answers.shift() ?? ['ServerException', 'no more answers'];
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
        response.end(JSON.stringify({ __type: type, message }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const client = new ECSClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: 'eu-west-1', maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 's' } });
      try {
        // Act
        const throttled = await client.send(new ListClustersCommand({})).catch((e: unknown) => e);
        const refused = await client.send(new ListClustersCommand({})).catch((e: unknown) => e);
        // Assess
        expect([awsErrorName(throttled), awsErrorStatus(throttled), isRetryableAwsError(throttled)]).toEqual(['ThrottlingException', 400, true]);
        expect([awsErrorName(refused), awsErrorStatus(refused), isRetryableAwsError(refused)]).toEqual(['ClientException', 400, false]);
      } finally {
        client.destroy();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('a refused connection (no HTTP answer) is retryable', async () => {
      // Prepare: a port that was just free, so nothing listens on it. The client runs in a child process: in the
      // test sandbox Node's own errors belong to another realm, the SDK does not recognise them as Error and
      // rewraps them without their code, which no production run ever sees.
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      await new Promise((resolve) => server.close(resolve));
      const script = `
        const { ECSClient, ListClustersCommand } = require('@aws-sdk/client-ecs');
        const { awsErrorStatus, isRetryableAwsError } = require('./shared/adapters/aws-error.ts');
        const client = new ECSClient({ endpoint: 'http://127.0.0.1:${port}', region: 'eu-west-1', maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 's' } });
        client.send(new ListClustersCommand({})).then(
          () => console.log('{}'),
          (e) => console.log(JSON.stringify({ code: e.code, status: awsErrorStatus(e) ?? null, retryable: isRetryableAwsError(e) })),
        );`;
      // Act
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], { cwd: join(__dirname, '..', '..') });
      // Assess
      expect(JSON.parse(stdout.trim().split('\n').pop() ?? '{}')).toEqual({ code: 'ECONNREFUSED', status: null, retryable: true });
    });
  });
});
