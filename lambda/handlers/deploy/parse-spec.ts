import { EndpointSpec, GuardJudgeSpec, SAGEMAKER_NAME_PATTERN } from '../../core';

/**
 * `ResourceProperties.Spec` is the EndpointSpec as one JSON string (CloudFormation would turn numbers in plain
 * properties into strings; inside the string they stay numbers). Checks the fields the controller cannot do without.
 */
export function parseSpec(raw: unknown): EndpointSpec {
  if (typeof raw !== 'string') {
    throw new TypeError(`ResourceProperties.Spec must be the EndpointSpec as a JSON string, got ${typeof raw}: set it with JSON.stringify(spec)`);
  }
  let spec: EndpointSpec;
  try {
    spec = JSON.parse(raw) as EndpointSpec;
  } catch (err) {
    throw new TypeError(`ResourceProperties.Spec is not valid JSON (${(err as Error).message}): ${raw.slice(0, 200)}`);
  }
  check(typeof spec === 'object' && spec !== null, 'Spec', spec, 'an object');
  const { endpointName, version } = spec;
  check(typeof endpointName === 'string' && SAGEMAKER_NAME_PATTERN.test(endpointName), 'Spec.endpointName', endpointName, 'a SageMaker name');
  check(typeof version === 'object' && version !== null, 'Spec.version', version, 'an object');
  check(typeof version.executionRoleArn === 'string', 'Spec.version.executionRoleArn', version.executionRoleArn, 'a role ARN');
  check(typeof version.environment === 'object' && version.environment !== null, 'Spec.version.environment', version.environment, 'an object');
  check((typeof version.image === 'string') !== (typeof version.modelPackageArn === 'string'), 'Spec.version.image or modelPackageArn',
    version.image ?? version.modelPackageArn, 'one image URI or one model package ARN');
  for (const field of ['modelDataUrl', 'modelDataSha256', 'instanceType'] as const) {
    check(version[field] === undefined || typeof version[field] === 'string', `Spec.version.${field}`, version[field], 'a string when set');
  }
  for (const field of ['initialInstanceCount', 'volumeSizeInGb', 'modelDataDownloadTimeoutSeconds', 'containerStartupHealthCheckTimeoutSeconds'] as const) {
    check(version[field] === undefined || (Number.isInteger(version[field]) && version[field]! > 0), `Spec.version.${field}`, version[field], 'a positive integer when set');
  }
  const plan = spec.plan;
  check(typeof plan === 'object' && plan !== null, 'Spec.plan', plan, 'an object');
  for (const field of ['checkIntervalSeconds', 'provisionPollSeconds', 'provisionTimeoutSeconds', 'revertWindowSeconds'] as const) {
    check(Number.isInteger(plan[field]) && plan[field] >= 0, `Spec.plan.${field}`, plan[field], 'an integer >= 0');
  }
  check(Array.isArray(plan.steps) && plan.steps.length > 0, 'Spec.plan.steps', plan.steps, 'a non-empty array');
  plan.steps.forEach((step, i) => {
    check(typeof step === 'object' && step !== null, `Spec.plan.steps[${i}]`, step, 'a step');
    if (step.mirrorPercent !== undefined) {
      // The shadow phase: the first step, at 0%, with a mirror share (the core checks the rest: assertRolloutPlan).
      check(i === 0 && step.percent === 0 && typeof step.mirrorPercent === 'number' && step.mirrorPercent > 0 && step.mirrorPercent <= 100,
        `Spec.plan.steps[${i}]`, step, 'a shadow step: the first, at percent 0, with mirrorPercent in (0, 100]');
    } else {
      check(typeof step.percent === 'number' && step.percent > 0 && step.percent <= 100, `Spec.plan.steps[${i}].percent`, step.percent, 'a percentage in (0, 100]');
    }
    for (const field of ['bakeSeconds', 'minInvocations', 'deadlineSeconds'] as const) {
      check(Number.isInteger(step[field]) && step[field] >= 0, `Spec.plan.steps[${i}].${field}`, step[field], 'an integer >= 0');
    }
  });
  check(plan.steps[plan.steps.length - 1].percent === 100, 'Spec.plan.steps', plan.steps.map((step) => step.percent), 'steps ending at 100%');
  check(Array.isArray(spec.guards), 'Spec.guards', spec.guards, 'an array');
  spec.guards.forEach((guard, i) => {
    check(typeof guard === 'object' && guard !== null && typeof guard.name === 'string', `Spec.guards[${i}]`, guard, 'a guard with a name');
    for (const slot of ['blue', 'green'] as const) {
      check(Array.isArray(guard[slot]) && guard[slot].every((alarm) => typeof alarm === 'string'), `Spec.guards[${i}].${slot}`, guard[slot], 'an array of alarm names');
    }
    if (guard.judge !== undefined) checkJudge(guard.judge, `Spec.guards[${i}].judge`);
  });
  check(Number.isInteger(spec.rolloutAttempt) && spec.rolloutAttempt >= 0, 'Spec.rolloutAttempt', spec.rolloutAttempt, 'an integer >= 0');
  check(typeof spec.waitForRollout === 'boolean', 'Spec.waitForRollout', spec.waitForRollout, 'a boolean');
  check(typeof spec.retainOnDelete === 'boolean', 'Spec.retainOnDelete', spec.retainOnDelete, 'a boolean');
  return spec;
}

/** What the judge reads of a guard (read-judgement.ts, judge/periods.ts): a malformed one would hold every step or crash every check. */
function checkJudge(judge: GuardJudgeSpec, field: string): void {
  check(typeof judge === 'object' && judge !== null, field, judge, 'an object when set');
  check((BAD_KINDS as readonly unknown[]).includes(judge.bad), `${field}.bad`, judge.bad, `one of ${BAD_KINDS.join(', ')}`);
  check(typeof judge.objective === 'number' && judge.objective >= 0 && judge.objective < 1, `${field}.objective`, judge.objective, 'a number in [0, 1)');
  check(typeof judge.margin === 'number' && judge.margin > 0, `${field}.margin`, judge.margin, 'a number > 0');
  check(typeof judge.minimumEffect === 'number' && judge.minimumEffect > 1, `${field}.minimumEffect`, judge.minimumEffect, 'a number > 1');
  if (judge.bad === 'slow') {
    check(typeof judge.slowThresholdMicros === 'number' && judge.slowThresholdMicros > 0, `${field}.slowThresholdMicros`, judge.slowThresholdMicros, 'a number > 0 when bad is slow');
  }
  if (judge.bad !== 'counted') return;
  const counted = judge.counted;
  check(typeof counted === 'object' && counted !== null, `${field}.counted`, counted, 'the two count metrics when bad is counted');
  for (const noun of ['noun', 'totalNoun'] as const) check(typeof counted[noun] === 'string', `${field}.counted.${noun}`, counted[noun], 'a string');
  for (const part of ['bad', 'total'] as const) {
    const metric = counted[part];
    const metricField = `${field}.counted.${part}`;
    check(typeof metric === 'object' && metric !== null && typeof metric.namespace === 'string' && typeof metric.metricName === 'string'
      && Array.isArray(metric.dimensions) && metric.dimensions.every((d) => typeof d === 'object' && d !== null && typeof d.name === 'string' && typeof d.value === 'string'),
    metricField, metric, 'a metric with a namespace, a name and dimensions');
    // Without {slot} both slots read the same series: the candidate would be judged against itself.
    check(metric.dimensions.some((d) => d.value.includes('{slot}')), `${metricField}.dimensions`, metric.dimensions, 'dimensions with {slot} in a value (the slots told apart)');
  }
}

const BAD_KINDS = ['errors', 'slow', 'counted'] as const;

function check(ok: boolean, field: string, value: unknown, what: string): asserts ok {
  if (!ok) {
    throw new TypeError(`${field} must be ${what}, got ${JSON.stringify(value)}; the BlueGreenEndpoint construct renders it`);
  }
}
