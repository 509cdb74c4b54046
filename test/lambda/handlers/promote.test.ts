import './support/env';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { promote } from '../../../lambda/handlers/actions/promote';
import { mockAws } from './support/aws-mocks';
import {
  CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_CONFIG, STABLE_ID, T0, context, plan, putRecord, putState, rollingOut, spec, version,
} from './support/fixtures';

const aws = mockAws();
const env = { now: T0, executionArn: EXECUTION_ARN };
beforeEach(() => {
  aws.reset();
  putRecord(aws.table, `VERSION#${CANDIDATE_ID}`, { endpointName: ENDPOINT, versionId: CANDIDATE_ID, spec: version(), registeredAt: T0 - 1, registeredBy: 'cloudformation' });
});
const promoting = (overrides = {}) => context({ targetConfigName: CANARY_CONFIG, smokeTestPassedAt: T0 - 1, stepIndex: 1, ...overrides });

test('the candidate becomes stable; the old stable is standby for the revert window', async () => {
  putState(aws.table, rollingOut({ weights: { blue: 0, green: 100 } }));
  const out = await promote(promoting(), env);
  expect(out).toMatchObject({ next: 'watch', outcome: 'promoted', promotedAt: T0 });
  const state = aws.table.state(ENDPOINT)!;
  expect(state).toMatchObject({
    phase: 'watching',
    stable: { slot: 'green', versionId: CANDIDATE_ID, configName: CANARY_CONFIG, since: T0 },
    standby: { slot: 'blue', versionId: STABLE_ID, configName: STABLE_CONFIG, until: T0 + 600_000 },
    weights: { blue: 0, green: 100 },
    lock: { rolloutId: context().rolloutId },
  });
  expect(state).not.toHaveProperty('candidate');
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).toMatchObject({ promotedAt: T0 });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['promoted']);
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
});

test('without a revert window there is no standby: retire at once', async () => {
  putState(aws.table, rollingOut());
  const out = await promote(promoting({ spec: spec({ plan: plan({ revertWindowSeconds: 0 }) }) }), env);
  expect(out.next).toBe('retire');
  expect(aws.table.state(ENDPOINT)).not.toHaveProperty('standby');
  expect(aws.table.state(ENDPOINT)?.phase).toBe('rolling-out');
});

test('the first version of a new endpoint becomes stable and the rollout ends', async () => {
  putState(aws.table, { endpointName: ENDPOINT, phase: 'rolling-out', revision: 1, lock: { rolloutId: context().rolloutId, executionArn: EXECUTION_ARN, since: T0 } });
  const out = await promote(promoting({ kind: 'create', candidateSlot: 'blue', stableSlot: undefined }), env);
  expect(out.next).toBe('release');
  expect(aws.table.state(ENDPOINT)).toMatchObject({ stable: { slot: 'blue', versionId: CANDIDATE_ID }, weights: { blue: 100, green: 0 } });
  expect(aws.table.state(ENDPOINT)).not.toHaveProperty('standby');
});

test('a rollout that no longer holds the lock cannot rewrite the LKG record', async () => {
  putState(aws.table, rollingOut({ phase: 'rolling-back' }));
  await expect(promote(promoting(), env)).rejects.toMatchObject({ name: 'LockLost' });
  expect(aws.table.state(ENDPOINT)?.stable).toMatchObject({ versionId: STABLE_ID });
});

test('a retried Promote (its state write already done) finishes without failing and records the promotion once', async () => {
  putState(aws.table, rollingOut({ weights: { blue: 0, green: 100 } }));
  const first = await promote(promoting(), env);
  const again = await promote(promoting(), { ...env, now: T0 + 5_000 });
  expect(again).toMatchObject({ next: 'watch', outcome: 'promoted', promotedAt: T0 + 5_000 });
  expect(first.next).toBe('watch');
  expect(aws.table.decisions(ENDPOINT)).toEqual(['promoted']);
  expect(aws.table.state(ENDPOINT)).toMatchObject({ phase: 'watching', stable: { versionId: CANDIDATE_ID } });
});
