import { scalableTargetOf, scalingPolicyName, suspendedStateFor, targetTracking } from '../../../lambda/core';

const base = { minCapacity: 1, maxCapacity: 4, scaleInCooldownSeconds: 300, scaleOutCooldownSeconds: 60 };

test('a variant\'s scalable target, and the controller\'s own policy name per slot', () => {
  expect(scalableTargetOf('fraud', 'green')).toEqual({ ServiceNamespace: 'sagemaker', ResourceId: 'endpoint/fraud/variant/green', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' });
  expect(scalingPolicyName('blue')).toBe('sagemaker-rollout-blue');
});

test('target tracking: the predefined invocations metric, or one customized metric with its target', () => {
  expect(targetTracking({ ...base, targetInvocationsPerInstance: 600 })).toEqual({
    TargetValue: 600, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' }, ScaleInCooldown: 300, ScaleOutCooldown: 60,
  });
  expect(targetTracking({ ...base, customMetric: { namespace: 'N', metricName: 'M', dimensions: { A: 'b' }, statistic: 'Average', targetValue: 7 } })).toEqual({
    TargetValue: 7, CustomizedMetricSpecification: { Namespace: 'N', MetricName: 'M', Dimensions: [{ Name: 'A', Value: 'b' }], Statistic: 'Average' }, ScaleInCooldown: 300, ScaleOutCooldown: 60,
  });
});

test('while a rollout runs only scale-in is suspended; serving scales both ways', () => {
  expect(suspendedStateFor('rolling-out')).toEqual({ DynamicScalingInSuspended: true, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false });
  expect(suspendedStateFor('serving')).toEqual({ DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false });
});
