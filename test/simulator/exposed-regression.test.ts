import { exposingPlan, scrubbedPlan, shadowPlan } from '../../lambda/core';
import { plannedExposure } from '../../simulator/cohort-clients';
import { Random } from '../../simulator/random';
import { CloudWatchTwin } from '../../simulator/twin/cloudwatch';
import { RuntimeTwin } from '../../simulator/twin/runtime';
import { SageMakerTwin } from '../../simulator/twin/sagemaker';

/** A candidate the routing clients target at weight 0 (cohort exposure, shadow phase): when its regression starts. */
const START = Date.UTC(2025, 0, 1, 12);
const v1 = { errorRate: 0.001, latencyP50Ms: 40, latencyP99Ms: 180 };

/** blue serves v1 with all the weight, green serves v2 at weight 0. */
function twin(regression: Record<string, number>): RuntimeTwin {
  const sagemaker = {
    serving: () => [{ name: 'blue', weight: 1, modelName: 'm1' }, { name: 'green', weight: 0, modelName: 'm2' }],
    modelOf: (name: string) => ({ PrimaryContainer: { ModelDataUrl: `s3://sim-models/${name === 'm1' ? 'v1' : 'v2'}/model.tar.gz` } }),
  } as unknown as SageMakerTwin;
  return new RuntimeTwin(sagemaker, new CloudWatchTwin(), { v1, v2: { ...v1, regression: { errorRate: 0.3, ...regression } } }, new Random(1));
}

test('a regression atPercent starts at the cohort step that exposes that share, not before, and never by weight 0 alone', () => {
  const runtime = twin({ atPercent: 25 });
  runtime.observe('fraud', START);
  expect(runtime.regressedAt.has('v2')).toBe(false); // no exposure: the weights alone route, and give v2 nothing
  let exposed = 5;
  runtime.exposure = () => ({ variant: 'green', percent: exposed });
  runtime.observe('fraud', START + 60_000);
  expect(runtime.regressedAt.has('v2')).toBe(false);
  exposed = 25;
  runtime.observe('fraud', START + 120_000);
  expect(runtime.regressedAt.get('v2')).toBe(START + 120_000);
  expect(runtime.regressedAt.has('v1')).toBe(false);
});

test('a regression afterSeconds counts from the first copy a mirrored candidate served (shadow phase, no user share)', () => {
  const runtime = twin({ afterSeconds: 60, atPercent: 5 });
  runtime.exposure = () => ({ variant: 'green', percent: 0 });
  const now = jest.spyOn(Date, 'now').mockReturnValue(START);
  try {
    runtime.serveUsers('fraud', 10, 'green', true);
  } finally {
    now.mockRestore();
  }
  runtime.observe('fraud', START + 59_000);
  expect(runtime.regressedAt.has('v2')).toBe(false); // copies are no user share: atPercent 5 is not reached
  runtime.observe('fraud', START + 60_000);
  expect(runtime.regressedAt.get('v2')).toBe(START + 60_000);
});

test('plannedExposure reads the published plan: the exposing percent, 0 in a shadow phase, nothing once scrubbed or for another endpoint', () => {
  const cohort = { parameterName: '/p', trustedEntityIds: ['vip'] };
  const exposing = JSON.stringify(exposingPlan({ endpointName: 'fraud', rolloutId: 'r1', stableSlot: 'blue', candidateSlot: 'green', percent: 25, cohort, now: 0 }));
  expect(plannedExposure(exposing, 'fraud')).toEqual({ variant: 'green', percent: 25 });
  expect(plannedExposure(exposing, 'other')).toBeUndefined();
  const shadow = JSON.stringify(shadowPlan({ endpointName: 'fraud', rolloutId: 'r1', stableSlot: 'blue', candidateSlot: 'green', mirrorPercent: 50, cohort, now: 0 }));
  expect(plannedExposure(shadow, 'fraud')).toEqual({ variant: 'green', percent: 0 });
  expect(plannedExposure(JSON.stringify(scrubbedPlan({ endpointName: 'fraud', rolloutId: 'r1', stableSlot: 'blue', now: 1 })), 'fraud')).toBeUndefined();
  expect(plannedExposure(undefined, 'fraud')).toBeUndefined();
});
