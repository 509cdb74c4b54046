import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './clients';
import { tableName } from './env';
import { aws, errorName } from './errors';

/** Every item of one endpoint shares this partition key. */
export function endpointKey(endpointName: string): string {
  return `ENDPOINT#${endpointName}`;
}

export function isConditionFailed(err: unknown): boolean {
  return errorName(err) === 'ConditionalCheckFailedException';
}

function withoutKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
}

export async function getItem<T>(pk: string, sk: string): Promise<T | undefined> {
  const out = await aws(() => dynamo.send(new GetCommand({ TableName: tableName(), Key: { pk, sk }, ConsistentRead: true })));
  return out.Item ? withoutKeys<T>(out.Item) : undefined;
}

export interface Condition {
  readonly expression: string;
  readonly names?: Record<string, string>;
  readonly values?: Record<string, unknown>;
}

export async function putItem(pk: string, sk: string, item: object, condition?: Condition): Promise<void> {
  await aws(() =>
    dynamo.send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...item, pk, sk },
        ConditionExpression: condition?.expression,
        ExpressionAttributeNames: condition?.names,
        ExpressionAttributeValues: condition?.values,
      }),
    ),
  );
}

/**
 * Sets the given attributes (undefined values are skipped); `mustExist` refuses to create a partial item, and
 * `onlyIfAbsent` names an attribute that must not be set yet (a first writer wins; others get ConditionalCheckFailed).
 */
export async function setFields(pk: string, sk: string, fields: Record<string, unknown>, mustExist: boolean, onlyIfAbsent?: string): Promise<void> {
  const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
  if (entries.length === 0) {
    return;
  }
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = entries.map(([field, value], i) => {
    names[`#f${i}`] = field;
    values[`:v${i}`] = value;
    return `#f${i} = :v${i}`;
  });
  await aws(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk, sk },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: [mustExist ? 'attribute_exists(sk)' : undefined, onlyIfAbsent ? 'attribute_not_exists(#absent)' : undefined]
          .filter((c) => c !== undefined).join(' AND ') || undefined,
        ExpressionAttributeNames: onlyIfAbsent ? { ...names, '#absent': onlyIfAbsent } : names,
        ExpressionAttributeValues: values,
      }),
    ),
  );
}

/** All items of a partition whose sort key starts with `prefix`, in sort-key order. */
export async function queryPrefix<T>(pk: string, prefix: string): Promise<T[]> {
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await aws(() =>
      dynamo.send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      ),
    );
    items.push(...(out.Items ?? []).map((item) => withoutKeys<T>(item)));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
