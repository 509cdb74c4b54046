import { ServiceError } from './wire';

export interface BusEvent {
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
  resources: string[];
  time: number;
  [key: string]: unknown;
}

export interface Rule { name: string; pattern: Record<string, unknown>; targets: string[] }

/**
 * How alarm events travel: a delay plus a random share of a spread (deliveries are not ordered), and faults the
 * scenario can inject.
 */
export interface EventDelivery { delaySeconds: number; spreadSeconds?: number; random?: () => number; duplicate?: boolean; lose?: boolean }

/**
 * EventBridge: PutEvents (the controller's rollout events) and rules from the template whose event pattern is
 * matched as EventBridge does; matching events are delivered to the rule's targets after a delay.
 */
export class EventBridgeTwin {
  readonly rules: Rule[] = [];
  readonly published: BusEvent[] = [];
  deliver: (target: string, event: BusEvent) => void = () => undefined;
  /** Delivery to an SQS queue target (what the probe's rule targets); the service twin wires it to its SQS. */
  deliverToQueue: (queueArn: string, body: string) => void = () => undefined;
  private delivered = 0;

  constructor(private readonly delivery: EventDelivery) {}

  operations(): Record<string, (input: any) => unknown> {
    return {
      PutEvents: (i: { Entries: Array<{ Source: string; DetailType: string; Detail: string; Resources?: string[]; EventBusName?: string }> }) => {
        if (!i.Entries?.length || i.Entries.length > 10) throw new ServiceError('ValidationException', 'Entries must have 1 to 10 items');
        const entries = i.Entries.map((e, k) => {
          const event: BusEvent = { source: e.Source, 'detail-type': e.DetailType, detail: JSON.parse(e.Detail), resources: e.Resources ?? [], time: Date.now() };
          this.publish(event);
          return { EventId: `sim-${this.published.length}-${k}` };
        });
        return { FailedEntryCount: 0, Entries: entries };
      },
      // Rules created through the API (the probe's; the controller's come from the template): PutRule with an event
      // pattern, PutTargets, RemoveTargets, DeleteRule, ListRules (EventBridge API reference).
      PutRule: (i: { Name: string; EventPattern: string }) => {
        const rule = this.rules.find((r) => r.name === i.Name);
        if (rule) rule.pattern = JSON.parse(i.EventPattern);
        else this.rules.push({ name: i.Name, pattern: JSON.parse(i.EventPattern), targets: [] });
        return { RuleArn: `arn:aws:events:us-east-1:123456789012:rule/${i.Name}` };
      },
      PutTargets: (i: { Rule: string; Targets: Array<{ Id: string; Arn: string }> }) => {
        this.rule(i.Rule).targets.push(...i.Targets.map((t) => t.Arn));
        return { FailedEntryCount: 0, FailedEntries: [] };
      },
      RemoveTargets: (i: { Rule: string }) => { this.rule(i.Rule).targets.length = 0; return { FailedEntryCount: 0, FailedEntries: [] }; },
      DeleteRule: (i: { Name: string }) => {
        if (this.rule(i.Name).targets.length > 0) throw new ServiceError('ValidationException', 'Rule can\'t be deleted since it has targets.');
        this.rules.splice(this.rules.findIndex((r) => r.name === i.Name), 1);
        return {};
      },
      ListRules: (i: { NamePrefix?: string }) => ({ Rules: this.rules.filter((r) => r.name.startsWith(i.NamePrefix ?? '')).map((r) => ({ Name: r.name })) }),
    };
  }

  private rule(name: string): Rule {
    const rule = this.rules.find((r) => r.name === name);
    if (!rule) throw new ServiceError('ResourceNotFoundException', `Rule ${name} does not exist.`);
    return rule;
  }

  /** An event from a service (CloudWatch alarm state changes): matched against the rules and delivered. */
  publish(event: BusEvent): void {
    this.published.push(event);
    for (const rule of this.rules) {
      if (!matches(rule.pattern, event)) continue;
      if (this.delivery.lose && event.source === 'aws.cloudwatch') continue;
      const copies = this.delivery.duplicate && event.source === 'aws.cloudwatch' ? 2 : 1;
      for (const target of rule.targets) {
        for (let c = 0; c < copies; c++) {
          const spread = (this.delivery.spreadSeconds ?? 0) * (this.delivery.random?.() ?? 0);
          const send = target.startsWith('arn:aws:sqs:')
            // An SQS target receives the event as EventBridge sends it: the envelope with id, account, region and ISO time.
            ? () => this.deliverToQueue(target, JSON.stringify({ version: '0', id: `sim-event-q${++this.delivered}`, account: '123456789012', region: 'us-east-1', ...event, time: new Date(event.time).toISOString() }))
            : () => this.deliver(target, event);
          setTimeout(send, (this.delivery.delaySeconds + spread + c) * 1000);
        }
      }
    }
  }
}

/** The event CloudWatch sends EventBridge when an alarm changes state ("Alarm events and EventBridge", CloudWatch user guide). */
export function alarmStateEvent(change: { alarm: { AlarmName: string }; arn: string; from: string; to: string; reason: string; at: number }): BusEvent {
  return {
    source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', resources: [change.arn], time: change.at,
    detail: { alarmName: change.alarm.AlarmName, state: { value: change.to, reason: change.reason, timestamp: new Date(change.at).toISOString() }, previousState: { value: change.from } },
  };
}

/** EventBridge event pattern matching: value lists, prefix, anything-but, exists, numeric equality, nesting. */
export function matches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const value = event[key];
    if (Array.isArray(rule)) {
      const values = Array.isArray(value) ? value : [value];
      return rule.some((r) => values.some((v) => matchOne(r, v, value !== undefined)));
    }
    if (rule && typeof rule === 'object') {
      return value !== null && typeof value === 'object' && matches(rule as Record<string, unknown>, value as Record<string, unknown>);
    }
    return value === rule;
  });
}

function matchOne(rule: unknown, value: unknown, present: boolean): boolean {
  if (rule === null || typeof rule !== 'object') return value === rule;
  const r = rule as Record<string, unknown>;
  if ('prefix' in r) return typeof value === 'string' && value.startsWith(String(r.prefix));
  if ('exists' in r) return r.exists === present;
  if ('anything-but' in r) {
    const not = Array.isArray(r['anything-but']) ? r['anything-but'] : [r['anything-but']];
    return present && !not.includes(value);
  }
  throw new Error(`the twin matches event patterns with values, prefix, exists and anything-but; the rule uses ${Object.keys(r).join(',')}`);
}
