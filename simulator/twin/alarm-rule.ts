import { ServiceError } from './wire';

/**
 * A composite alarm's AlarmRule, as the CloudWatch user guide's "Composite alarms" page
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-combining.html, formerly Create_Composite_Alarm.html)
 * and the PutCompositeAlarm API reference (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html)
 * define it: the functions `ALARM(x)`, `OK(x)` and `INSUFFICIENT_DATA(x)` ("TRUE if the named alarm is in" that state),
 * `TRUE` and `FALSE`, combined with AND, OR and NOT and grouped with parentheses; `x` is an alarm name or ARN, which "can be
 * surrounded with double-quotes, but do not have to be". At most 100 child alarms and 500 elements ("child alarms, TRUE
 * or FALSE statements, and parentheses. A pair of parentheses counts as one element"), and at least one child alarm or
 * TRUE/FALSE; at most 10240 characters (AlarmRule's length constraint).
 * The docs are silent on, so the twin assumes (unverified): operator precedence (NOT, then AND, then OR, as in most
 * languages; the CDK's AlarmRule always parenthesizes), keywords in upper case except TRUE and FALSE (the user guide
 * itself writes `False`), no escape inside quotes (a name holding `"` or `)` cannot be written), and a child that does
 * not exist is in no state (each of its functions FALSE). AT_LEAST, which newer docs add, is refused as not implemented.
 */
export type AlarmRule =
  | { readonly kind: 'state'; readonly state: RuleState; readonly alarm: string }
  | { readonly kind: 'constant'; readonly value: boolean }
  | { readonly kind: 'not'; readonly operand: AlarmRule }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly AlarmRule[] };

export type RuleState = 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';

const FUNCTIONS: readonly string[] = ['ALARM', 'OK', 'INSUFFICIENT_DATA'];
const MAX_CHILDREN = 100;
const MAX_ELEMENTS = 500;
const MAX_LENGTH = 10_240;

/** Parses an AlarmRule; a rule CloudWatch would refuse is a ValidationError naming what is wrong and where. */
export function parseAlarmRule(text: string): AlarmRule {
  if (text.length === 0 || text.length > MAX_LENGTH) {
    throw new ServiceError('ValidationError', `AlarmRule must be 1 to ${MAX_LENGTH} characters, got ${text.length}`);
  }
  let at = 0;
  let parentheses = 0;
  const fail = (what: string): never => {
    throw new ServiceError('ValidationError', `AlarmRule: ${what} at character ${at + 1} of "${text}"`);
  };
  const skipSpace = () => { while (at < text.length && /\s/.test(text[at])) at++; };
  const word = (): string => {
    skipSpace();
    const match = /^[A-Za-z_]+/.exec(text.slice(at));
    return match ? match[0] : '';
  };
  const expect = (c: string) => {
    skipSpace();
    if (text[at] !== c) fail(`expected "${c}" but found ${at < text.length ? `"${text[at]}"` : 'the end'}`);
    at++;
  };
  /** An alarm name or ARN: quoted (up to the next quote), or bare (up to the closing parenthesis). */
  const reference = (): string => {
    skipSpace();
    let name: string;
    if (text[at] === '"') {
      const end = text.indexOf('"', at + 1);
      if (end < 0) fail('unterminated quoted alarm name');
      name = text.slice(at + 1, end);
      at = end + 1;
    } else {
      const end = text.indexOf(')', at);
      if (end < 0) fail('expected ")" after the alarm name');
      name = text.slice(at, end).trim();
      at = end;
    }
    if (name.length === 0) fail('empty alarm name');
    expect(')');
    return name;
  };
  const primary = (): AlarmRule => {
    skipSpace();
    if (text[at] === '(') {
      at++;
      parentheses++;
      const inner = or();
      expect(')');
      return inner;
    }
    const w = word();
    if (w === '') return fail(at < text.length ? `unexpected "${text[at]}"` : 'unexpected end of the rule');
    const upper = w.toUpperCase();
    if (upper === 'TRUE' || upper === 'FALSE') {
      at += w.length;
      return { kind: 'constant', value: upper === 'TRUE' };
    }
    if (FUNCTIONS.includes(w)) {
      at += w.length;
      expect('(');
      return { kind: 'state', state: w as RuleState, alarm: reference() };
    }
    if (upper === 'AT_LEAST') return fail('AT_LEAST is not implemented by the twin');
    return fail(`unknown function or keyword "${w}" (ALARM, OK, INSUFFICIENT_DATA, TRUE, FALSE, AND, OR, NOT)`);
  };
  const not = (): AlarmRule => {
    if (word() === 'NOT') {
      at += 3;
      return { kind: 'not', operand: not() };
    }
    return primary();
  };
  const chain = (operator: 'AND' | 'OR', operand: () => AlarmRule): AlarmRule => {
    const operands = [operand()];
    while (word() === operator) {
      at += operator.length;
      operands.push(operand());
    }
    return operands.length === 1 ? operands[0] : { kind: operator === 'AND' ? 'and' : 'or', operands };
  };
  const and = () => chain('AND', not);
  const or = (): AlarmRule => chain('OR', and);

  const rule = or();
  skipSpace();
  if (at < text.length) fail(`unexpected "${text.slice(at)}"`);
  const children = new Set(alarmRuleChildren(rule));
  if (children.size > MAX_CHILDREN) {
    throw new ServiceError('ValidationError', `AlarmRule names ${children.size} child alarms; at most ${MAX_CHILDREN}`);
  }
  const elements = countLeaves(rule) + parentheses;
  if (elements > MAX_ELEMENTS) {
    throw new ServiceError('ValidationError', `AlarmRule has ${elements} elements (child alarms, TRUE/FALSE and parentheses); at most ${MAX_ELEMENTS}`);
  }
  return rule;
}

/** Whether the rule holds, given each referenced alarm's state (undefined: no such alarm, so no function of it holds). */
export function evaluateAlarmRule(rule: AlarmRule, stateOf: (alarm: string) => RuleState | undefined): boolean {
  switch (rule.kind) {
    case 'state': return stateOf(rule.alarm) === rule.state;
    case 'constant': return rule.value;
    case 'not': return !evaluateAlarmRule(rule.operand, stateOf);
    case 'and': return rule.operands.every((r) => evaluateAlarmRule(r, stateOf));
    case 'or': return rule.operands.some((r) => evaluateAlarmRule(r, stateOf));
  }
}

/** The alarm names and ARNs the rule refers to, in order, repeated as often as they appear. */
export function alarmRuleChildren(rule: AlarmRule): string[] {
  switch (rule.kind) {
    case 'state': return [rule.alarm];
    case 'constant': return [];
    case 'not': return alarmRuleChildren(rule.operand);
    case 'and': case 'or': return rule.operands.flatMap(alarmRuleChildren);
  }
}

function countLeaves(rule: AlarmRule): number {
  switch (rule.kind) {
    case 'state': case 'constant': return 1;
    case 'not': return countLeaves(rule.operand);
    case 'and': case 'or': return rule.operands.reduce((n, r) => n + countLeaves(r), 0);
  }
}
