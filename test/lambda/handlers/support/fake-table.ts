import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

type Item = Record<string, unknown>;
type Names = Record<string, string> | undefined;
type Values = Record<string, unknown> | undefined;

/**
 * An in-memory DynamoDB table behind the real DynamoDBDocumentClient (aws-sdk-client-mock). It understands exactly
 * the expressions the state table adapter writes and throws on anything else, so a new expression cannot pass
 * unnoticed. Items are stored as JSON copies (undefined dropped, as with removeUndefinedValues).
 */
export class FakeTable {
  readonly mock = mockClient(DynamoDBDocumentClient);
  private readonly items = new Map<string, Item>();
  /** Writes to fail once each, by sort key: a throttled or lost write (failNextWrite). */
  private readonly failures: Array<{ sk: string; error: Error }> = [];

  constructor() {
    this.install();
  }

  private install(): void {
    this.mock.on(GetCommand).callsFake((input) => ({ Item: this.get(input.Key.pk, input.Key.sk) }));
    this.mock.on(PutCommand).callsFake((input) => {
      const { pk, sk } = input.Item as { pk: string; sk: string };
      this.failIfAsked(sk);
      this.check(this.items.get(key(pk, sk)), input.ConditionExpression, input.ExpressionAttributeNames, input.ExpressionAttributeValues);
      this.items.set(key(pk, sk), copy(input.Item));
      return {};
    });
    this.mock.on(UpdateCommand).callsFake((input) => {
      const { pk, sk } = input.Key as { pk: string; sk: string };
      this.failIfAsked(sk);
      const existing = this.items.get(key(pk, sk));
      this.check(existing, input.ConditionExpression, input.ExpressionAttributeNames, input.ExpressionAttributeValues);
      this.items.set(key(pk, sk), applySet({ ...(existing ?? { pk, sk }) }, input.UpdateExpression, input.ExpressionAttributeNames, input.ExpressionAttributeValues));
      return {};
    });
    this.mock.on(QueryCommand).callsFake((input) => {
      if (input.KeyConditionExpression !== 'pk = :pk AND begins_with(sk, :prefix)') {
        throw new Error(`FakeTable: unsupported KeyConditionExpression ${input.KeyConditionExpression}`);
      }
      return { Items: this.query(input.ExpressionAttributeValues[':pk'], input.ExpressionAttributeValues[':prefix']) };
    });
  }

  get(pk: string, sk: string): Item | undefined {
    const item = this.items.get(key(pk, sk));
    return item && copy(item);
  }

  put(item: Item): void {
    this.items.set(key(item.pk as string, item.sk as string), copy(item));
  }

  query(pk: string, prefix: string): Item[] {
    return [...this.items.values()]
      .filter((item) => item.pk === pk && (item.sk as string).startsWith(prefix))
      .sort((a, b) => ((a.sk as string) < (b.sk as string) ? -1 : 1))
      .map(copy);
  }

  /** History entries of an endpoint, oldest first. */
  history(endpointName: string): Item[] {
    return this.query(`ENDPOINT#${endpointName}`, 'HISTORY#');
  }

  decisions(endpointName: string): string[] {
    return this.history(endpointName).map((entry) => entry.decision as string);
  }

  state(endpointName: string): Item | undefined {
    return this.get(`ENDPOINT#${endpointName}`, 'STATE');
  }

  /** The next write (Put or Update) of an item with this sort key fails with `error`, without writing; later ones succeed. */
  failNextWrite(sk: string, error: Error): void {
    this.failures.push({ sk, error });
  }

  /** Clears items, recorded calls and any per-test override, then installs the fake behaviour again. */
  reset(): void {
    this.mock.reset();
    this.install();
    this.items.clear();
    this.failures.length = 0;
  }

  private failIfAsked(sk: string): void {
    const i = this.failures.findIndex((f) => f.sk === sk);
    if (i >= 0) throw this.failures.splice(i, 1)[0].error;
  }

  restore(): void {
    this.mock.restore();
  }

  private check(existing: Item | undefined, expression: string | undefined, names: Names, values: Values): void {
    if (expression === undefined) {
      return;
    }
    if (!evaluate(existing, expression, names, values)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
  }
}

function key(pk: string, sk: string): string {
  return `${pk}\u0000${sk}`;
}

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function evaluate(existing: Item | undefined, expression: string, names: Names, values: Values): boolean {
  if (expression.includes(' AND ')) {
    return expression.split(' AND ').every((part) => evaluate(existing, part, names, values));
  }
  let match = /^attribute_(not_)?exists\((#?\w+)\)$/.exec(expression);
  if (match) {
    const attribute = match[2].startsWith('#') ? names![match[2]] : match[2];
    const exists = existing !== undefined && existing[attribute] !== undefined;
    return match[1] ? !exists : exists;
  }
  match = /^(#\w+) = (:\w+)$/.exec(expression);
  if (match) {
    return existing !== undefined && existing[names![match[1]]] === values![match[2]];
  }
  throw new Error(`FakeTable: unsupported ConditionExpression ${expression}`);
}

function applySet(item: Item, expression: string, names: Names, values: Values): Item {
  if (!expression.startsWith('SET ')) {
    throw new Error(`FakeTable: unsupported UpdateExpression ${expression}`);
  }
  for (const assignment of expression.slice(4).split(', ')) {
    const match = /^(#\w+) = (:\w+)$/.exec(assignment);
    if (!match) {
      throw new Error(`FakeTable: unsupported assignment ${assignment}`);
    }
    item[names![match[1]]] = copy(values![match[2]]);
  }
  return item;
}
