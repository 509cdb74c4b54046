import { App, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import fc from 'fast-check';
import { AlarmRule, RuleState, alarmRuleChildren, evaluateAlarmRule, parseAlarmRule } from '../../simulator/twin/alarm-rule';
import { AlarmStateChange, CloudWatchTwin } from '../../simulator/twin/cloudwatch';
import { ACCOUNT, DeployedTemplate, REGION } from '../../simulator/template';

const arn = (name: string) => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`;
const states = (map: Record<string, RuleState>) => (alarm: string) => map[alarm];

describe('AlarmRule: the syntax of the CloudWatch user guide ("Composite alarms")', () => {
  test.each([
    // The user guide's own examples.
    ['ALARM(CPUUtilizationTooHigh) AND ALARM(DiskReadOpsTooHigh)', { CPUUtilizationTooHigh: 'ALARM', DiskReadOpsTooHigh: 'ALARM' }, true],
    ['ALARM(CPUUtilizationTooHigh) AND ALARM(DiskReadOpsTooHigh)', { CPUUtilizationTooHigh: 'ALARM', DiskReadOpsTooHigh: 'OK' }, false],
    ['ALARM(CPUUtilizationTooHigh) AND NOT ALARM(DeploymentInProgress)', { CPUUtilizationTooHigh: 'ALARM', DeploymentInProgress: 'OK' }, true],
    ['ALARM(CPUUtilizationTooHigh) AND NOT ALARM(DeploymentInProgress)', { CPUUtilizationTooHigh: 'ALARM', DeploymentInProgress: 'ALARM' }, false],
    ['(ALARM(CPUUtilizationTooHigh) OR ALARM(DiskReadOpsTooHigh)) AND OK(NetworkOutTooHigh)', { DiskReadOpsTooHigh: 'ALARM', NetworkOutTooHigh: 'OK' }, true],
    ['(ALARM(CPUUtilizationTooHigh) OR ALARM(DiskReadOpsTooHigh)) AND OK(NetworkOutTooHigh)', { DiskReadOpsTooHigh: 'ALARM', NetworkOutTooHigh: 'INSUFFICIENT_DATA' }, false],
    ['(ALARM("CPUUtilizationTooHigh") OR \n ALARM("DiskReadOpsTooHigh")) AND \n OK("NetworkOutTooHigh")', { CPUUtilizationTooHigh: 'ALARM', NetworkOutTooHigh: 'OK' }, true],
    ['INSUFFICIENT_DATA(quiet)', { quiet: 'INSUFFICIENT_DATA' }, true],
    ['TRUE', {}, true],
    ['FALSE', {}, false],
    ['False', {}, false],
    ['NOT FALSE AND TRUE', {}, true],
    ['NOT NOT ALARM(a)', { a: 'ALARM' }, true],
    // A child that does not exist is in no state.
    ['ALARM(missing) OR OK(missing) OR INSUFFICIENT_DATA(missing)', {}, false],
    // ARNs, quoted or bare; names with spaces when quoted or bare.
    [`ALARM("${arn('a')}")`, { [arn('a')]: 'ALARM' }, true],
    [`ALARM(${arn('a')})`, { [arn('a')]: 'ALARM' }, true],
    ['ALARM("name with spaces") AND ALARM( bare name )', { 'name with spaces': 'ALARM', 'bare name': 'ALARM' }, true],
    // Precedence (unverified: the docs are silent): NOT, then AND, then OR.
    ['ALARM(a) OR ALARM(b) AND ALARM(c)', { a: 'ALARM', b: 'OK', c: 'OK' }, true],
    ['NOT ALARM(a) AND ALARM(b)', { a: 'ALARM', b: 'ALARM' }, false],
  ] as Array<[string, Record<string, RuleState>, boolean]>)('%s with %j is %s', (rule, given, expected) => {
    expect(evaluateAlarmRule(parseAlarmRule(rule), states(given))).toBe(expected);
  });

  test.each([
    ['', 'must be 1 to 10240 characters'],
    ['ALARM(a) AND', 'unexpected end of the rule'],
    ['ALARM(a) OR OR ALARM(b)', 'unknown function or keyword "OR"'],
    ['(ALARM(a)', 'expected ")" but found the end'],
    ['ALARM(a))', 'unexpected ")"'],
    ['ALARM()', 'empty alarm name'],
    ['ALARM("a)', 'unterminated quoted alarm name'],
    ['ALARM(a', 'expected ")" after the alarm name'],
    ['alarm(a)', 'unknown function or keyword "alarm"'],
    ['WARN(a)', 'unknown function or keyword "WARN"'],
    ['AT_LEAST(ALARM, 2, (a, b))', 'AT_LEAST is not implemented by the twin'],
    ['ALARM(a) XOR ALARM(b)', 'unexpected "XOR ALARM(b)"'],
    ['x'.repeat(10_241), 'must be 1 to 10240 characters'],
  ].map(([rule, message]) => [message, rule]))('refuses a rule: %s', (message, rule) => {
    expect(() => parseAlarmRule(rule)).toThrow(expect.objectContaining({ name: 'ValidationError', message: expect.stringContaining(message) }));
  });

  test('at most 100 child alarms and 500 elements (a pair of parentheses is one)', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `ALARM(a${i})`);
    expect(alarmRuleChildren(parseAlarmRule(names(100).join(' OR ')))).toHaveLength(100);
    expect(() => parseAlarmRule(names(101).join(' OR '))).toThrow(/names 101 child alarms; at most 100/);
    // 100 children repeated 5 times: 500 elements, 100 distinct children.
    const five = Array.from({ length: 5 }, () => names(100).join(' OR ')).join(' OR ');
    expect(() => parseAlarmRule(five)).not.toThrow();
    expect(() => parseAlarmRule(`(${five})`)).toThrow(/501 elements/);
  });

  test('reads what the CDK synthesizes: AlarmRule.anyOf/allOf/not/fromBoolean over alarm ARNs', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: { account: ACCOUNT, region: REGION } });
    const alarm = (id: string) => new cloudwatch.Alarm(stack, id, {
      alarmName: id, metric: new cloudwatch.Metric({ namespace: 'N', metricName: id }), threshold: 1, evaluationPeriods: 1,
    });
    const [a, b, c] = ['a', 'b', 'c'].map(alarm);
    const composite = new cloudwatch.CompositeAlarm(stack, 'Composite', {
      alarmRule: cloudwatch.AlarmRule.anyOf(
        cloudwatch.AlarmRule.allOf(a, cloudwatch.AlarmRule.not(cloudwatch.AlarmRule.fromAlarm(b, cloudwatch.AlarmState.INSUFFICIENT_DATA))),
        cloudwatch.AlarmRule.fromAlarm(c, cloudwatch.AlarmState.OK),
        cloudwatch.AlarmRule.fromBoolean(false),
      ),
    });
    const template = new DeployedTemplate('S', app.synth().getStackByName('S').template);
    const [resource] = template.resources('AWS::CloudWatch::CompositeAlarm');
    const rule = parseAlarmRule(resource.properties.AlarmRule);
    expect(alarmRuleChildren(rule)).toEqual([arn('a'), arn('b'), arn('c')]);
    expect(evaluateAlarmRule(rule, states({ [arn('a')]: 'ALARM', [arn('b')]: 'OK', [arn('c')]: 'ALARM' }))).toBe(true);
    expect(evaluateAlarmRule(rule, states({ [arn('a')]: 'ALARM', [arn('b')]: 'INSUFFICIENT_DATA', [arn('c')]: 'ALARM' }))).toBe(false);
    expect(template.arn(stack.getLogicalId(composite.node.defaultChild as cloudwatch.CfnCompositeAlarm), 'Arn')).toBe(arn(resource.properties.AlarmName));
  });

  test('a rule printed back from its tree evaluates as the tree does (any nesting, any states)', () => {
    const leaf = fc.oneof(
      fc.record({ kind: fc.constant('state' as const), state: fc.constantFrom<RuleState>('ALARM', 'OK', 'INSUFFICIENT_DATA'), alarm: fc.constantFrom('a', 'b', 'c') }),
      fc.record({ kind: fc.constant('constant' as const), value: fc.boolean() }),
    );
    const tree = fc.letrec<{ rule: AlarmRule }>((t) => ({
      rule: fc.oneof({ depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.record({ kind: fc.constant('not' as const), operand: t('rule') }),
        fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), operands: fc.array(t('rule'), { minLength: 2, maxLength: 3 }) })),
    })).rule;
    const print = (r: AlarmRule): string => {
      switch (r.kind) {
        case 'state': return `${r.state}("${r.alarm}")`;
        case 'constant': return r.value ? 'TRUE' : 'FALSE';
        case 'not': return `NOT (${print(r.operand)})`;
        default: return `(${r.operands.map(print).join(` ${r.kind.toUpperCase()} `)})`;
      }
    };
    const given = fc.record({ a: fc.constantFrom<RuleState>('ALARM', 'OK', 'INSUFFICIENT_DATA'), b: fc.constantFrom<RuleState>('ALARM', 'OK'), c: fc.constantFrom<RuleState>('OK') });
    fc.assert(fc.property(tree, given, (rule, s) => {
      expect(evaluateAlarmRule(parseAlarmRule(print(rule)), states(s))).toBe(evaluateAlarmRule(rule, states(s)));
    }), { numRuns: 300 });
  });
});

describe('composite alarms in the CloudWatch twin', () => {
  const T0 = Date.UTC(2026, 0, 15, 10, 0, 0);
  let twin: CloudWatchTwin;
  let changes: AlarmStateChange[];
  let now: jest.SpyInstance;
  const metricAlarm = (name: string) => twin.putAlarm({ AlarmName: name, Namespace: 'N', MetricName: name, Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' });
  const changesOf = (name: string) => changes.filter((c) => c.alarm.AlarmName === name).map((c) => `${c.from}->${c.to}`);

  beforeEach(() => {
    now = jest.spyOn(Date, 'now').mockReturnValue(T0);
    twin = new CloudWatchTwin();
    changes = [];
    twin.onStateChange = (c) => changes.push(c);
    for (const name of ['errors-blue', 'errors-green', 'deploying']) metricAlarm(name);
  });
  afterEach(() => now.mockRestore());

  test('is INSUFFICIENT_DATA when created, then evaluated at once (PutCompositeAlarm), with its event', () => {
    twin.putCompositeAlarm({ AlarmName: 'health', AlarmRule: 'ALARM(errors-blue) OR ALARM(errors-green)' });
    expect(twin.stateOf('health')).toBe('OK');
    expect(changesOf('health')).toEqual(['INSUFFICIENT_DATA->OK']);
    expect(changes[0]).toMatchObject({ arn: arn('health'), at: T0 });
  });

  test('follows its children: ALARM when the rule holds, OK when it no longer does, each change announced at the child\'s instant', () => {
    twin.putCompositeAlarm({ AlarmName: 'health', AlarmRule: `(ALARM("errors-blue") OR ALARM("${arn('errors-green')}")) AND NOT ALARM(deploying)` });
    twin.setAlarmState('errors-green', 'ALARM', 'regression');
    expect(twin.stateOf('health')).toBe('ALARM');
    const raised = changes.find((c) => c.alarm.AlarmName === 'health' && c.to === 'ALARM')!;
    expect(raised.reason).toContain(`${arn('errors-green')} transitioned to ALARM`);
    // Another child in ALARM changes nothing: no second event.
    twin.setAlarmState('errors-blue', 'ALARM', 'also');
    twin.setAlarmState('deploying', 'ALARM', 'maintenance');
    twin.setAlarmState('errors-blue', 'OK', 'recovered');
    twin.setAlarmState('deploying', 'OK', 'done');
    twin.setAlarmState('errors-green', 'INSUFFICIENT_DATA', 'no data');
    expect(changesOf('health')).toEqual(['INSUFFICIENT_DATA->OK', 'OK->ALARM', 'ALARM->OK', 'OK->ALARM', 'ALARM->OK']);
  });

  test('a child evaluated from its metric drives the composite within the same evaluation', () => {
    twin.putCompositeAlarm({ AlarmName: 'health', AlarmRule: 'ALARM(errors-green)' });
    twin.record({ Namespace: 'N', MetricName: 'errors-green' }, 5, T0 + 1000);
    now.mockReturnValue(T0 + 60_000);
    twin.evaluateDue(T0 + 60_000);
    expect(changes.map((c) => `${c.alarm.AlarmName} ${c.to}`)).toEqual(['health OK', 'errors-green ALARM', 'health ALARM']);
  });

  test('composites of composites, and a cycle stops the evaluation (user guide: "evaluation ... stops if CloudWatch detects a cycle")', () => {
    twin.putCompositeAlarm({ AlarmName: 'inner', AlarmRule: 'ALARM(errors-blue)' });
    twin.putCompositeAlarm({ AlarmName: 'outer', AlarmRule: 'ALARM(inner) OR ALARM(loop)' });
    twin.putCompositeAlarm({ AlarmName: 'loop', AlarmRule: 'ALARM(outer)' });
    twin.setAlarmState('errors-blue', 'ALARM', 'x');
    expect([twin.stateOf('inner'), twin.stateOf('outer'), twin.stateOf('loop')]).toEqual(['ALARM', 'ALARM', 'ALARM']);
    twin.setAlarmState('errors-blue', 'OK', 'x');
    // inner goes OK; outer stays in ALARM through loop, which it holds up itself.
    expect([twin.stateOf('inner'), twin.stateOf('outer'), twin.stateOf('loop')]).toEqual(['OK', 'ALARM', 'ALARM']);
  });

  test('SetAlarmState on a composite holds until a child changes (SetAlarmState API reference)', () => {
    twin.putCompositeAlarm({ AlarmName: 'health', AlarmRule: 'ALARM(errors-blue)' });
    twin.setAlarmState('health', 'ALARM', 'drill');
    expect(twin.stateOf('health')).toBe('ALARM');
    twin.setAlarmState('errors-green', 'ALARM', 'not a child');
    expect(twin.stateOf('health')).toBe('ALARM');
    twin.setAlarmState('errors-blue', 'OK', 'a child');
    expect(twin.stateOf('health')).toBe('OK');
  });

  test('an update keeps the state and evaluates the new rule; a rule CloudWatch refuses is refused', () => {
    twin.putCompositeAlarm({ AlarmName: 'health', AlarmRule: 'FALSE' });
    twin.putCompositeAlarm({ AlarmName: 'health', AlarmRule: 'TRUE' });
    expect(changesOf('health')).toEqual(['INSUFFICIENT_DATA->OK', 'OK->ALARM']);
    expect(() => twin.putCompositeAlarm({ AlarmName: 'health', AlarmRule: 'ALARM(' })).toThrow(expect.objectContaining({ name: 'ValidationError' }));
    expect(twin.compositeAlarms.get('health')?.definition.AlarmRule).toBe('TRUE');
  });
});
