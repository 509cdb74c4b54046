import './support/env';
import { UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { revert } from '../../../lambda/handlers/actions/revert';
import { mockAws } from './support/aws-mocks';
import {
  CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_CONFIG, STABLE_ID, T0, context, putRecord, putState, rollingOut, variant, version,
} from './support/fixtures';

const aws = mockAws();
const env = { now: T0 + 120_000, executionArn: EXECUTION_ARN };
const reverting = context({ promotedAt: T0, reason: 'stable guard in ALARM inside the 600s revert window: fraud-errors-green' });

beforeEach(() => {
  aws.reset();
  putState(aws.table, rollingOut({
    phase: 'watching',
    candidate: undefined,
    stable: { slot: 'green', versionId: CANDIDATE_ID, configName: CANARY_CONFIG, since: T0 },
    standby: { slot: 'blue', versionId: STABLE_ID, configName: STABLE_CONFIG, until: T0 + 600_000 },
    weights: { blue: 0, green: 100 },
  }));
  putRecord(aws.table, `VERSION#${CANDIDATE_ID}`, { endpointName: ENDPOINT, versionId: CANDIDATE_ID, spec: version(), registeredAt: T0 - 1, registeredBy: 'cloudformation' });
  aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 0, green: 100 });
});

test('returns all traffic to the standby, which becomes stable again; the promoted version is marked rolled back', async () => {
  const out = await revert(reverting, env);
  expect(out).toMatchObject({ next: 'retire', outcome: 'rolled-back', reason: `reverted after promotion: ${reverting.reason}` });
  expect(aws.sagemaker.weights()).toEqual({ blue: { current: 100, desired: 100 }, green: { current: 0, desired: 0 } });
  const state = aws.table.state(ENDPOINT)!;
  expect(state).toMatchObject({ phase: 'rolling-back', stable: { slot: 'blue', versionId: STABLE_ID, configName: STABLE_CONFIG, since: env.now }, weights: { blue: 100, green: 0 } });
  expect(state).not.toHaveProperty('standby');
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).toMatchObject({ rolledBackAttempt: 0, rolledBackReason: out.reason });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['reverted']);
});

test('a second run finds no standby and changes nothing', async () => {
  await revert(reverting, env);
  const again = await revert(reverting, env);
  expect(again.next).toBe('retire');
  expect(aws.sagemaker.mock).toHaveReceivedCommandTimes(UpdateEndpointWeightsAndCapacitiesCommand, 1);
  expect(aws.table.decisions(ENDPOINT)).toEqual(['reverted']);
});
