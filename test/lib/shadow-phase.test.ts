import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { BlueGreenEndpoint, Exposure, Guard, RolloutStrategy, ShadowPhaseOptions } from '../../lib';
import { ecrVersion, specOf, testStack } from './fixtures';

function shadowEndpoint(stack: Stack, shadow: ShadowPhaseOptions, more: { stepDeadline?: Duration } = {}): BlueGreenEndpoint {
  return new BlueGreenEndpoint(stack, 'Fraud', {
    endpointName: 'fraud',
    modelVersion: ecrVersion(stack),
    strategy: RolloutStrategy.canary({ steps: [5, 25], bake: Duration.minutes(5), exposure: Exposure.cohorts({ trustedEntityIds: ['tenant-beta'] }), shadow, ...more }),
  });
}

describe('RolloutStrategy shadow', () => {
  test('warns when a counted guard reads counts published outside SageMaker: callers never see the copies\' answers to count', () => {
    const warning = Match.stringLikeRegexp("guard 'data-quality' judges counts published outside SageMaker \\(Fraud/Quality/ScoresChecked\\).*holds until its deadline");
    const endpoint = (stack: Stack, guards: Guard[], shadow?: ShadowPhaseOptions) => new BlueGreenEndpoint(stack, 'Fraud', {
      endpointName: 'fraud', modelVersion: ecrVersion(stack), guards,
      strategy: RolloutStrategy.canary({ steps: [5], bake: Duration.minutes(5), exposure: Exposure.cohorts(), shadow }),
    });
    const dataQuality = () => Guard.dataQuality({
      badMetric: { namespace: 'Fraud/Quality', metricName: 'ScoresOutOfRange' }, totalMetric: { namespace: 'Fraud/Quality', metricName: 'ScoresChecked' },
    });
    const warned = endpoint(testStack(), [Guard.errorRate(), dataQuality()], { bake: Duration.minutes(10) });
    Annotations.fromStack(Stack.of(warned)).hasWarning('*', warning);
    // SageMaker publishes its own counts for copies too (input validity's default); without a shadow phase copies are none.
    const sageMakerCounts = endpoint(testStack(), [Guard.errorRate(), Guard.inputValidity()], { bake: Duration.minutes(10) });
    expect(Annotations.fromStack(Stack.of(sageMakerCounts)).findWarning('*', Match.stringLikeRegexp('published outside SageMaker'))).toEqual([]);
    const noShadow = endpoint(testStack(), [Guard.errorRate(), dataQuality()]);
    expect(Annotations.fromStack(Stack.of(noShadow)).findWarning('*', Match.stringLikeRegexp('published outside SageMaker'))).toEqual([]);
  });

  test('renders the shadow phase as the plan\'s first step: 0%, its mirror share and bake, before the canary steps', () => {
    const stack = testStack();
    const ep = shadowEndpoint(stack, { bake: Duration.minutes(15), mirrorPercent: 20 }, { stepDeadline: Duration.hours(1) });
    const { plan } = specOf(ep);
    expect(plan.steps).toEqual([
      { percent: 0, mirrorPercent: 20, bakeSeconds: 900, minInvocations: 1, deadlineSeconds: 3600 },
      { percent: 5, bakeSeconds: 300, minInvocations: 1, deadlineSeconds: 3600 },
      { percent: 25, bakeSeconds: 300, minInvocations: 1, deadlineSeconds: 3600 },
      { percent: 100, bakeSeconds: 300, minInvocations: 1, deadlineSeconds: 3600 },
    ]);
    expect(plan.cohort).toEqual({ parameterName: `${ep.controller.exposurePlanPath}fraud/exposure-plan`, trustedEntityIds: ['tenant-beta'] });
    // The routing clients' plan, created idle like any cohort endpoint's.
    Template.fromStack(stack).resourceCountIs('AWS::SSM::Parameter', 1);
  });

  test('mirrors every entity by default', () => {
    const ep = shadowEndpoint(testStack(), { bake: Duration.minutes(10) });
    expect(specOf(ep).plan.steps[0]).toMatchObject({ percent: 0, mirrorPercent: 100, bakeSeconds: 600 });
  });

  test('without a shadow phase the plan starts at the first canary step', () => {
    const stack = testStack();
    const ep = new BlueGreenEndpoint(stack, 'Fraud', {
      endpointName: 'fraud', modelVersion: ecrVersion(stack),
      strategy: RolloutStrategy.canary({ steps: [5], bake: Duration.minutes(5), exposure: Exposure.cohorts() }),
    });
    expect(specOf(ep).plan.steps.map((s) => s.percent)).toEqual([5, 100]);
    expect(specOf(ep).plan.steps.some((s) => 'mirrorPercent' in s)).toBe(false);
  });

  test('refuses a shadow phase without cohort exposure, naming the fix', () => {
    expect(() => RolloutStrategy.canary({ steps: [5], bake: Duration.minutes(5), shadow: { bake: Duration.minutes(10) } }))
      .toThrow('shadow needs exposure: Exposure.cohorts(), got Exposure.WEIGHTS: the copies of requests are sent by the routing client '
        + '(cdk-sagemaker-rollout/client), so the callers must use it; set exposure to Exposure.cohorts() or remove shadow');
  });

  test.each([0, -5, 100.5, Number.NaN])('refuses mirrorPercent %p, naming the value', (mirrorPercent) => {
    expect(() => RolloutStrategy.canary({ steps: [5], bake: Duration.minutes(5), exposure: Exposure.cohorts(), shadow: { bake: Duration.minutes(10), mirrorPercent } }))
      .toThrow(`shadow.mirrorPercent must be in (0, 100], got ${mirrorPercent}`);
  });

  test('refuses a shadow bake shorter than the check interval', () => {
    expect(() => RolloutStrategy.canary({
      steps: [5], bake: Duration.minutes(5), checkInterval: Duration.seconds(30), exposure: Exposure.cohorts(), shadow: { bake: Duration.seconds(10) },
    })).toThrow('shadow.bake (10s) must be at least the checkInterval (30s), or the phase ends before guards are read: raise shadow.bake');
  });

  test('the shadow bake must cover every unjudged guard\'s alarm window, like any step', () => {
    const stack = testStack();
    expect(() => new BlueGreenEndpoint(stack, 'Fraud', {
      endpointName: 'fraud', modelVersion: ecrVersion(stack),
      guards: [Guard.comparison({ maxIncreasePercent: 50, evaluationPeriods: 5 })],
      strategy: RolloutStrategy.canary({ steps: [5], bake: Duration.minutes(5), checkInterval: Duration.seconds(30), exposure: Exposure.cohorts(), shadow: { bake: Duration.minutes(2) } }),
    })).toThrow(/the bake of the shadow step \(120s\) is shorter than guard/);
  });
});
