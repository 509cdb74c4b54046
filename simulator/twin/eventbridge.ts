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
    };
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
          setTimeout(() => this.deliver(target, event), (this.delivery.delaySeconds + spread + c) * 1000);
        }
      }
    }
  }
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
