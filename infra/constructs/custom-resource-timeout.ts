import { Duration } from 'aws-cdk-lib';

/**
 * How long CloudFormation waits for each of the stack's custom resources to answer (`ServiceTimeout`) before it
 * fails the resource and rolls back. Its default is an hour: a handler that dies before it answers (a Lambda
 * timeout, an API call that hangs) would hold `cdk deploy` for that hour. CloudFormation invokes the handler
 * asynchronously, so Lambda retries a failed attempt after one minute, then after two: three attempts of the
 * longest handler here (two minutes: the AwsCustomResource calls and the database users) fit in nine minutes.
 */
export const CUSTOM_RESOURCE_SERVICE_TIMEOUT = Duration.minutes(10);
