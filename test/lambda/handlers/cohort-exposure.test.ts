import './support/env';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { ExposurePlan } from '../../../lambda/core';
import { promote } from '../../../lambda/handlers/actions/promote';
import { rollback } from '../../../lambda/handlers/actions/rollback';
import { shiftTraffic } from '../../../lambda/handlers/actions/shift-traffic';
import { mockAws } from './support/aws-mocks';
import { CfnServer } from './support/cfn-server';
import { fakeParameterStore } from './support/parameter-store';
import {
  CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_ID, T0, context, plan, putRecord, putState, rollingOut, spec, variant, version,
} from './support/fixtures';

const PARAMETER = `/sagemaker-rollout/abcd1234/${ENDPOINT}/exposure-plan`;
const cohortSpec = spec({ plan: plan({ cohort: { parameterName: PARAMETER, trustedEntityIds: ['tenant-beta'] } }) });
const aws = mockAws();
const { ssm, parameters, reset: resetParameters, published: publishedAt } = fakeParameterStore();
const cfn = new CfnServer();
beforeAll(() => cfn.start());
afterAll(() => cfn.stop());
const env = { now: T0, executionArn: EXECUTION_ARN };

beforeEach(() => {
  aws.reset();
  resetParameters();
  putState(aws.table, rollingOut({ spec: cohortSpec }));
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 1, green: 0 });
});

const published = (): ExposurePlan => publishedAt(PARAMETER);
const shifting = context({ spec: cohortSpec, smokeTestPassedAt: T0 - 1000, stepIndex: 0 });

describe('ShiftTraffic with cohort exposure', () => {
  test('keeps the weights on the stable and publishes the step\'s cohort, read back, with the plan in the record', async () => {
    const out = await shiftTraffic(shifting, env);
    expect(out).toMatchObject({ next: 'bake', stepIndex: 0 });
    // The endpoint already sends everything to the stable: nothing is sent to SageMaker.
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointWeightsAndCapacitiesCommand);
    expect(published()).toEqual({
      version: 1, endpointName: ENDPOINT, state: 'exposing', rolloutId: shifting.rolloutId, stableVariant: 'blue', candidateVariant: 'green',
      percent: 10, trustedEntityIds: ['tenant-beta'], publishedAt: T0,
    });
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: PARAMETER });
    const [entry] = aws.table.history(ENDPOINT);
    expect(entry).toMatchObject({ decision: 'traffic-shifted', weights: { blue: 100, green: 0 }, evidence: { exposure: published() } });
    expect(entry.reason).toBe('step 0: 10% of entities and 1 trusted exposed to candidate slot green (cohort exposure; weights stay on stable)');
  });

  test('the final step moves the weights like any rollout, and the plan exposes everyone', async () => {
    await shiftTraffic({ ...shifting, stepIndex: 1 }, env);
    expect(aws.sagemaker.weights()).toEqual({ blue: { current: 0, desired: 0 }, green: { current: 100, desired: 100 } });
    expect(published()).toMatchObject({ state: 'exposing', percent: 100 });
  });

  test('a plan that does not read back as written fails the task (ExposurePlanNotApplied); the decision was recorded before', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: PARAMETER, Value: '{"version":1}' } });
    await expect(shiftTraffic(shifting, env)).rejects.toMatchObject({ name: 'ExposurePlanNotApplied' });
    expect(aws.table.decisions(ENDPOINT)).toEqual(['traffic-shifted']);
  });

  test('when a guard alarm takes the endpoint over mid-step, the plan it published is scrubbed again', async () => {
    ssm.on(PutParameterCommand).callsFake((input) => {
      parameters.set(input.Name, input.Value);
      if (JSON.parse(input.Value).state === 'exposing') putState(aws.table, rollingOut({ spec: cohortSpec, phase: 'rolling-back' }));
      return { Version: 1 };
    });
    await expect(shiftTraffic(shifting, env)).rejects.toMatchObject({ name: 'LockLost' });
    expect(published()).toMatchObject({ state: 'scrubbed', stableVariant: 'blue' });
    expect(aws.table.decisions(ENDPOINT)).toEqual(['traffic-shifted']);
  });
});

describe('Rollback with cohort exposure', () => {
  const rollingBack = context({ spec: cohortSpec, reason: 'candidate guard in ALARM at step 0 (10%)' });
  beforeEach(() => {
    putRecord(aws.table, `VERSION#${CANDIDATE_ID}`, { endpointName: ENDPOINT, versionId: CANDIDATE_ID, spec: version(), registeredAt: T0 - 1, registeredBy: 'cloudformation' });
    putRecord(aws.table, `ROLLOUT#${rollingBack.rolloutId}`, { endpointName: ENDPOINT, rolloutId: rollingBack.rolloutId, startedAt: T0 - 1 });
    parameters.set(PARAMETER, JSON.stringify({ version: 1, endpointName: ENDPOINT, state: 'exposing', rolloutId: rollingBack.rolloutId, stableVariant: 'blue', candidateVariant: 'green', percent: 10, trustedEntityIds: [], publishedAt: T0 - 60_000 }));
  });

  test('scrubs the plan to the stable (everyone, trusted ones too), and the decision names the scrub', async () => {
    await rollback(rollingBack, env);
    expect(published()).toEqual({ version: 1, endpointName: ENDPOINT, state: 'scrubbed', rolloutId: rollingBack.rolloutId, stableVariant: 'blue', percent: 0, trustedEntityIds: [], publishedAt: T0 });
    expect(aws.table.history(ENDPOINT)).toEqual([
      expect.objectContaining({ decision: 'rollback', evidence: expect.objectContaining({ exposure: { parameterName: PARAMETER, scrubbedTo: 'blue' } }) }),
    ]);
  });

  test('a scrub Parameter Store refuses fails the task after the weights are on the stable (the state machine retries it)', async () => {
    aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 0, green: 100 });
    ssm.on(PutParameterCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(rollback(rollingBack, env)).rejects.toMatchObject({ name: 'Throttled' });
    expect(aws.sagemaker.mock).toHaveReceivedCommand(UpdateEndpointWeightsAndCapacitiesCommand);
    expect(aws.sagemaker.weights()).toEqual({ blue: { current: 100, desired: 100 }, green: { current: 0, desired: 0 } });
    expect(aws.table.decisions(ENDPOINT)).toEqual(['rollback']);
  });
});

test('Promote ends cohort exposure: the plan is idle, the new stable\'s weights decide', async () => {
  putRecord(aws.table, `VERSION#${CANDIDATE_ID}`, { endpointName: ENDPOINT, versionId: CANDIDATE_ID, spec: version(), registeredAt: T0 - 1, registeredBy: 'cloudformation' });
  putState(aws.table, rollingOut({ spec: cohortSpec, weights: { blue: 0, green: 100 } }));
  await promote(context({ spec: cohortSpec, targetConfigName: CANARY_CONFIG, smokeTestPassedAt: T0 - 1, stepIndex: 1 }), env);
  expect(published()).toEqual({ version: 1, endpointName: ENDPOINT, state: 'idle', percent: 0, trustedEntityIds: [], publishedAt: T0 });
});

test('without cohort exposure nothing is published', async () => {
  putState(aws.table, rollingOut());
  await shiftTraffic(context({ smokeTestPassedAt: T0 - 1000, stepIndex: 0 }), env);
  expect(ssm).not.toHaveReceivedCommand(PutParameterCommand);
});
