import { Annotations, CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';

/**
 * The limits a stack of endpoints runs into, with their sources:
 * - CloudFormation quotas ("AWS CloudFormation quotas"): 500 resources per stack, 1 MB template uploaded through S3
 *   (as `cdk deploy` does); CDK's own check reads the resource limit from context `@aws-cdk/core:stackResourceLimit`.
 * - EventBridge quotas ("Amazon EventBridge quotas", Event pattern size): 2,048 characters by default, raisable to 4,096.
 * - IAM quotas ("IAM and AWS STS quotas"): 10 managed policies per role by default (20 at most); CDK moves what does not
 *   fit a role's 10,240-character inline policy into `OverflowPolicy` managed policies of 6,144 characters.
 */
export const LIMITS = {
  resources: 500,
  templateBytes: 1_048_576,
  eventPatternChars: 2048,
  managedPoliciesPerRole: 10,
};

/** Warn from this share of a limit: room for a few more endpoints, not for a surprise at deploy. */
const WARN_AT = 0.8;
/** Worst-case lengths of what the template leaves to CloudFormation: the partition, region and account. */
const PSEUDO_WORST = { partition: 'aws-us-gov'.length, region: 'ap-southeast-2'.length, account: 12 };
const MAX_ALARM_NAME = 255;

const SPLIT = 'split the endpoints over several stacks, each with its own controller (one RolloutController per stack)';

/**
 * Checks the stack of `controller` against the limits above once the app is built (node validation) and returns the
 * errors; what is near a limit is a warning. Each message names the figure, the limit and the fix.
 */
export function checkStackLimits(
  controller: IConstruct,
  alarmRule: events.Rule,
  functions: lambda.IFunction[],
  userAlarms: cloudwatch.IAlarm[],
): string[] {
  const stack = Stack.of(controller);
  const errors: string[] = [];
  const check = (id: string, figure: number, limit: number, what: string, fix: string) => {
    const message = `${what}: ${figure}, the limit is ${limit}; ${fix}`;
    if (figure > limit) errors.push(message);
    else if (figure >= limit * WARN_AT) Annotations.of(controller).addWarningV2(`cdk-sagemaker-rollout:${id}`, message);
  };

  const resourceLimit = Number(stack.node.tryGetContext('@aws-cdk/core:stackResourceLimit') ?? LIMITS.resources);
  const resources = stack.node.findAll().filter((c) => CfnResource.isCfnResource(c) && Stack.of(c) === stack).length;
  if (resourceLimit > 0) {
    check('stackResources', resources, resourceLimit, `CloudFormation resources in stack '${stack.stackName}'`,
      `each endpoint adds about 7 (its custom resource, model role and policy, and one alarm per guard and slot); ${SPLIT}`);
  }

  const templateBytes = templateSize(stack);
  check('templateSize', templateBytes, LIMITS.templateBytes, `template size of stack '${stack.stackName}' in bytes (CloudFormation's limit for a template uploaded to S3)`,
    SPLIT);

  const patternChars = eventPatternLength(stack, alarmRule, userAlarms);
  check('eventPatternSize', patternChars, LIMITS.eventPatternChars,
    'characters of the guard alarm rule\'s event pattern, with the longest partition, region and account (EventBridge\'s default quota)',
    `the alarms the guards create take one prefix; each alarm you bring (Guard.alarm) adds its ARN: bring fewer alarms per stack, `
    + `raise the "Event pattern size" quota (up to 4096), or ${SPLIT}`);

  for (const fn of functions) {
    const role = fn.role;
    if (!role || !iam.Role.isRole(role)) continue;
    const managed = role.node.children.filter((c) => c instanceof iam.ManagedPolicy).length + 1; // + AWSLambdaBasicExecutionRole
    check('rolePolicySize', managed, LIMITS.managedPoliciesPerRole,
      `managed policies the role of ${fn.node.path} needs once its permissions overflow the 10,240-character inline policy (IAM's default quota per role)`,
      'the controller\'s own permissions stay the same size for every endpoint; what grows is per model artifact (S3 objects and ECR repositories '
      + `verified) and per role, topic or key you bring: share buckets, repositories, model roles, topics and keys between endpoints, or ${SPLIT}`);
  }
  return errors;
}

/** The template as CloudFormation receives it (`cdk synth` writes it with one-space indentation). */
function templateSize(stack: Stack): number {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const template = stack.resolve((stack as any)._toCloudFormation());
  return Buffer.byteLength(JSON.stringify(template, undefined, 1), 'utf8');
}

/** The pattern's length once CloudFormation has resolved it, with the longest partition, region and account. */
function eventPatternLength(stack: Stack, rule: events.Rule, userAlarms: cloudwatch.IAlarm[]): number {
  const cfn = rule.node.defaultChild as events.CfnRule;
  const resolved = stack.resolve(cfn.eventPattern);
  return JSON.stringify(estimate(resolved, userAlarms, stack)).length;
}

/** Replaces intrinsics by placeholder strings of their worst-case length. */
function estimate(value: unknown, userAlarms: cloudwatch.IAlarm[], stack: Stack): unknown {
  if (Array.isArray(value)) return value.map((v) => estimate(v, userAlarms, stack));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1 && (entries[0][0].startsWith('Fn::') || entries[0][0] === 'Ref')) {
    return 'x'.repeat(intrinsicLength(entries[0][0], entries[0][1], userAlarms, stack));
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, estimate(v, userAlarms, stack)]));
}

function intrinsicLength(fn: string, arg: unknown, userAlarms: cloudwatch.IAlarm[], stack: Stack): number {
  if (fn === 'Ref') {
    if (arg === 'AWS::Partition') return PSEUDO_WORST.partition;
    if (arg === 'AWS::Region') return PSEUDO_WORST.region;
    if (arg === 'AWS::AccountId') return PSEUDO_WORST.account;
    return 64;
  }
  if (fn === 'Fn::Join' && Array.isArray(arg)) {
    const [separator, parts] = arg as [string, unknown[]];
    return parts.map((p) => (typeof p === 'string' ? p.length : intrinsicLength(Object.keys(p as object)[0], Object.values(p as object)[0], userAlarms, stack)))
      .reduce((a, b) => a + b, 0) + separator.length * Math.max(0, parts.length - 1);
  }
  if (fn === 'Fn::GetAtt' && Array.isArray(arg)) {
    // An alarm of this stack: its ARN, with its name when literal.
    const cfn = userAlarms.map((a) => a.node.defaultChild).find((c): c is cloudwatch.CfnAlarm => c instanceof cloudwatch.CfnAlarm
      && stack.resolve(c.logicalId) === arg[0]);
    const name = cfn?.alarmName !== undefined && !Token.isUnresolved(cfn.alarmName) ? cfn.alarmName.length : MAX_ALARM_NAME;
    return 'arn::cloudwatch:::alarm:'.length + PSEUDO_WORST.partition + PSEUDO_WORST.region + PSEUDO_WORST.account + name;
  }
  return 64;
}
