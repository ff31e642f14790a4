import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { dynamoDbError } from '../ledger/errors';
import { deploymentKey, environmentKey, parseDeployment, parseEnvironment } from '../ledger/items';
import type { DeploymentRecord, EnvironmentRecord } from '../ledger/types';
import type { AwsHttpClient } from './client';

/**
 * The ledger's two reads a rebuild needs (`getEnvironment`, `getDeployment`),
 * over the lean client: strongly consistent GetItem, the same items and
 * parsing as the SDK-based `Ledger`, for the build-image function.
 *
 * @example
 * const ledger = new HttpLedgerReader({ client: new AwsHttpClient({ service: 'dynamodb', credentials }), tableName: 'ledger' });
 * const lastGood = (await ledger.getEnvironment('prod'))?.lastGood;
 */
export class HttpLedgerReader {
  private readonly client: AwsHttpClient;
  private readonly tableName: string;

  constructor(options: { client: AwsHttpClient; tableName: string }) {
    if (options.client.service !== 'dynamodb') throw new TypeError(`HttpLedgerReader needs a dynamodb client, got ${options.client.service}`);
    this.client = options.client;
    this.tableName = options.tableName;
  }

  /** The environment's state record, if any; strongly consistent. */
  async getEnvironment(env: string): Promise<EnvironmentRecord | undefined> {
    const item = await this.getItem(`reading environment ${env}`, environmentKey(env));
    return item ? parseEnvironment(item) : undefined;
  }

  /** One deployment record, if any; strongly consistent. */
  async getDeployment(env: string, deploymentId: string): Promise<DeploymentRecord | undefined> {
    const item = await this.getItem(`reading deployment ${deploymentId} of ${env}`, deploymentKey(env, deploymentId));
    return item ? parseDeployment(item) : undefined;
  }

  private async getItem(doing: string, key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    try {
      const output = await this.client.callJson<{ Item?: Record<string, AttributeValue> }>('GetItem', { TableName: this.tableName, Key: marshall(key), ConsistentRead: true });
      return output.Item ? unmarshall(output.Item) : undefined;
    } catch (error) {
      throw dynamoDbError(doing, this.tableName, error);
    }
  }
}
