import './support/env';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { ExposurePlan, RolloutPlan } from '../../../lambda/core';
import { rollback } from '../../../lambda/handlers/actions/rollback';
import { shiftTraffic } from '../../../lambda/handlers/actions/shift-traffic';
import { mockAws } from './support/aws-mocks';
import { CfnServer } from './support/cfn-server';
import { fakeParameterStore } from './support/parameter-store';
import {
  CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_ID, T0, context, plan, putRecord, putState, rollingOut, spec, variant, version,
} from './support/fixtures';

const PARAMETER = `/sagemaker-rollout/abcd1234/${ENDPOINT}/exposure-plan`;
/** A cohort plan with a shadow phase: step 0 mirrors 40% of entities, then 10%, then 100%. */
const shadowPlan: RolloutPlan = plan({
  cohort: { parameterName: PARAMETER, trustedEntityIds: ['tenant-beta'] },
  steps: [
    { percent: 0, mirrorPercent: 40, bakeSeconds: 600, minInvocations: 20, deadlineSeconds: 1800 },
    { percent: 10, bakeSeconds: 300, minInvocations: 20, deadlineSeconds: 1800 },
    { percent: 100, bakeSeconds: 300, minInvocations: 20, deadlineSeconds: 1800 },
  ],
});
const shadowSpec = spec({ plan: shadowPlan });
const aws = mockAws();
const { ssm, reset: resetParameters, published: publishedAt } = fakeParameterStore();
const cfn = new CfnServer();
beforeAll(() => cfn.start());
afterAll(() => cfn.stop());
const env = { now: T0, executionArn: EXECUTION_ARN };

beforeEach(() => {
  aws.reset();
  resetParameters();
  putState(aws.table, rollingOut({ spec: shadowSpec }));
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 1, green: 0 });
});

const published = (): ExposurePlan => publishedAt(PARAMETER);
const shifting = context({ spec: shadowSpec, smokeTestPassedAt: T0 - 1000, stepIndex: 0 });

test('the shadow step keeps the candidate at weight 0 and publishes the shadow plan, read back and recorded', async () => {
  const out = await shiftTraffic(shifting, env);
  expect(out).toMatchObject({ next: 'bake', stepIndex: 0, stepStartedAt: T0 });
  expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointWeightsAndCapacitiesCommand);
  expect(published()).toEqual({
    version: 1, endpointName: ENDPOINT, state: 'shadow', rolloutId: shifting.rolloutId, stableVariant: 'blue', candidateVariant: 'green',
    percent: 0, mirrorPercent: 40, trustedEntityIds: ['tenant-beta'], publishedAt: T0,
  });
  const [entry] = aws.table.history(ENDPOINT);
  expect(entry).toMatchObject({ decision: 'traffic-shifted', weights: { blue: 100, green: 0 }, evidence: { stepIndex: 0, step: shadowPlan.steps[0], exposure: published() } });
  expect(entry.reason).toBe('step 0: shadow phase: candidate slot green answers no user; the routing clients mirror the requests of 40% of entities and 1 trusted to it (weights stay on stable)');
});

test('no shadow plan before a passed smoke test: the candidate gets no copies either', async () => {
  await expect(shiftTraffic({ ...shifting, smokeTestPassedAt: undefined }, env)).rejects.toMatchObject({ name: 'SmokeTestRequired' });
  expect(ssm).not.toHaveReceivedCommand(PutParameterCommand);
});

test('the first canary step after the shadow phase exposes its cohort (the shadow plan is replaced)', async () => {
  await shiftTraffic(shifting, env);
  await shiftTraffic({ ...shifting, stepIndex: 1 }, { ...env, now: T0 + 700_000 });
  expect(published()).toMatchObject({ state: 'exposing', percent: 10 });
  expect(published()).not.toHaveProperty('mirrorPercent');
});

test('a rollback in the shadow phase scrubs the plan: no more copies, and the decision names the scrub', async () => {
  const rollingBack = context({ spec: shadowSpec, reason: 'judged worse at step 0 (shadow, 40% mirrored)' });
  putRecord(aws.table, `VERSION#${CANDIDATE_ID}`, { endpointName: ENDPOINT, versionId: CANDIDATE_ID, spec: version(), registeredAt: T0 - 1, registeredBy: 'cloudformation' });
  putRecord(aws.table, `ROLLOUT#${rollingBack.rolloutId}`, { endpointName: ENDPOINT, rolloutId: rollingBack.rolloutId, startedAt: T0 - 1 });
  await shiftTraffic(shifting, { ...env, now: T0 - 60_000 });
  expect(published().state).toBe('shadow');
  await rollback(rollingBack, env);
  expect(published()).toEqual({ version: 1, endpointName: ENDPOINT, state: 'scrubbed', rolloutId: rollingBack.rolloutId, stableVariant: 'blue', percent: 0, trustedEntityIds: [], publishedAt: T0 });
  expect(aws.table.history(ENDPOINT).find((h) => h.decision === 'rollback')).toMatchObject({ evidence: expect.objectContaining({ exposure: { parameterName: PARAMETER, scrubbedTo: 'blue' } }) });
});
