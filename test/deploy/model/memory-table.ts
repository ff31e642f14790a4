import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { environmentKey, parseEnvironment } from '../../../shared/ledger';
import type { EnvironmentRecord } from '../../../shared/ledger';

type Item = Record<string, unknown>;

/**
 * The ledger's DynamoDB table in memory, for model tests: GetItem, the two
 * conditional PutItem forms the ledger writes (`attribute_not_exists(pk)`,
 * `revision = :expected`) and the guarded UpdateItem of deployment records
 * (`#state IN (...)`), with ConditionalCheckFailedException as DynamoDB
 * answers. Every call first passes `gate`, where a model test interleaves
 * concurrent invocations or crashes one.
 */
export class MemoryTable {
  readonly items = new Map<string, Item>();

  constructor(private readonly gate: (label: string) => Promise<void>) {}

  /** A document client whose `send` serves this table. */
  client(): DynamoDBDocumentClient {
    return { send: (command: unknown) => this.send(command) } as unknown as DynamoDBDocumentClient;
  }

  /** The environment item of `env`, read without passing the gate (for invariants). */
  environment(env: string): EnvironmentRecord | undefined {
    const item = this.items.get(key(environmentKey(env)));
    return item && parseEnvironment(structuredClone(item));
  }

  private async send(command: unknown): Promise<unknown> {
    await this.gate('dynamodb');
    if (command instanceof GetCommand) {
      const item = this.items.get(key(command.input.Key as Item));
      return { Item: item && structuredClone(item) };
    }
    if (command instanceof PutCommand) return this.put(command.input as { Item: Item; ConditionExpression?: string; ExpressionAttributeValues?: Item });
    if (command instanceof UpdateCommand) return this.update(command.input as { Key: Item; ConditionExpression: string; ExpressionAttributeValues: Item; ExpressionAttributeNames: Record<string, string>; UpdateExpression: string });
    if (command instanceof QueryCommand) return { Items: [] };
    throw new Error(`memory table: unexpected command ${(command as object).constructor.name}`);
  }

  private put(input: { Item: Item; ConditionExpression?: string; ExpressionAttributeValues?: Item }): unknown {
    const k = key(input.Item);
    const existing = this.items.get(k);
    const condition = input.ConditionExpression ?? '';
    const ok = condition === '' || (condition === 'attribute_not_exists(pk)' ? existing === undefined : existing?.revision === input.ExpressionAttributeValues?.[':expected']);
    if (!ok) throw Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
    this.items.set(k, structuredClone(input.Item));
    return {};
  }

  private update(input: { Key: Item; ConditionExpression: string; ExpressionAttributeValues: Item; ExpressionAttributeNames: Record<string, string>; UpdateExpression: string }): unknown {
    const k = key(input.Key);
    const existing = this.items.get(k);
    const values = input.ExpressionAttributeValues;
    const allowed = Object.entries(values).filter(([name]) => /^:p\d+$/.test(name)).map(([, value]) => value);
    const creates = input.ConditionExpression.startsWith('attribute_not_exists');
    const ok = existing === undefined ? creates : allowed.includes(existing.state);
    if (!ok) throw Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
    const next: Item = { ...(existing ?? input.Key) };
    for (const assignment of input.UpdateExpression.replace(/^SET /, '').split(/, (?=#?\w+ = )/)) {
      const [left, right] = assignment.split(' = ') as [string, string];
      const field = input.ExpressionAttributeNames[left] ?? left;
      const ifAbsent = /^if_not_exists\((?:#?\w+), (:\w+)\)$/.exec(right);
      if (ifAbsent) { if (next[field] === undefined) next[field] = values[ifAbsent[1]!]; } else next[field] = values[right];
    }
    this.items.set(k, next);
    return {};
  }
}

function key(item: Item): string {
  return `${String(item.pk)}|${String(item.sk)}`;
}
