import './support/env';
import { PutScalingPolicyCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EndpointState } from '../../../lambda/core';
import { promote } from '../../../lambda/handlers/actions/promote';
import { mockAws } from './support/aws-mocks';
import { CfnServer } from './support/cfn-server';
import {
  CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_CONFIG, STABLE_ID, T0, context, plan, putRecord, putState, rollingOut, spec, version,
} from './support/fixtures';

const aws = mockAws();
const cfn = new CfnServer();
beforeAll(() => cfn.start());
afterAll(() => cfn.stop());
const env = { now: T0, executionArn: EXECUTION_ARN };
beforeEach(() => {
  aws.reset();
  cfn.answers.length = 0;
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

/** A deploy that waits for this rollout (waitForRollout): CloudFormation's pre-signed URL. */
const waiting = () => ({
  cfnResponse: {
    responseUrl: cfn.url, stackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/app/1', requestId: 'req-1',
    logicalResourceId: 'FraudEndpoint', physicalResourceId: ENDPOINT,
  },
});

test('the deploy waiting for the rollout hears SUCCESS with endpoint, version and rollout once promoted, and only once', async () => {
  putState(aws.table, rollingOut({ weights: { blue: 0, green: 100 } }));
  const out = await promote(promoting(waiting()), env);
  // The rollout goes on with its whole context, only without the answered request.
  expect(out).toEqual({ ...promoting(), promotedAt: T0, outcome: 'promoted', reason: expect.any(String), next: 'watch' });
  expect(cfn.answers).toEqual([expect.objectContaining({
    Status: 'SUCCESS', PhysicalResourceId: ENDPOINT, RequestId: 'req-1',
    Data: { EndpointName: ENDPOINT, VersionId: CANDIDATE_ID, RolloutId: context().rolloutId },
  })]);
  expect(out.cfnResponse).toBeUndefined();
});

test('a Promote retried after its state write still answers the waiting deploy SUCCESS (not FAILED, which would roll the stack back)', async () => {
  putState(aws.table, rollingOut({ weights: { blue: 0, green: 100 } }));
  await promote(promoting(), env);
  await promote(promoting(waiting()), { ...env, now: T0 + 5_000 });
  expect(cfn.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS', Data: expect.objectContaining({ VersionId: CANDIDATE_ID }) })]);
});

test('a retried Promote whose endpoint another rollout has since taken cannot answer or record for it', async () => {
  putState(aws.table, rollingOut({ weights: { blue: 0, green: 100 } }));
  await promote(promoting(), env);
  const promoted = aws.table.state(ENDPOINT)!;
  putState(aws.table, { ...(promoted as unknown as EndpointState), phase: 'rolling-out', lock: { rolloutId: 'r00000000b-cccccc', executionArn: `${EXECUTION_ARN}-2`, since: T0 + 1 } });
  await expect(promote(promoting(waiting()), { ...env, now: T0 + 5_000 })).rejects.toMatchObject({ name: 'LockLost' });
  expect(cfn.answers).toEqual([]);
  expect(aws.table.decisions(ENDPOINT)).toEqual(['promoted']);
});

test('the promotion is recorded and announced with what users audit: actor, reason, previous stable and standby', async () => {
  putState(aws.table, rollingOut({ weights: { blue: 0, green: 100 } }));
  await promote(promoting(), env);
  const standby = { slot: 'blue', versionId: STABLE_ID, configName: STABLE_CONFIG, until: T0 + 600_000 };
  const previousStable = { slot: 'blue', versionId: STABLE_ID, configName: STABLE_CONFIG, since: T0 - 86_400_000 };
  const reason = `version ${CANDIDATE_ID} on slot green is the new stable; ${STABLE_ID} on blue is standby until ${new Date(T0 + 600_000).toISOString()}`;
  expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({
    at: T0, rolloutId: context().rolloutId, decision: 'promoted', actor: 'controller', reason, evidence: { previousStable, standby },
  })]);
  const entry = aws.events.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0];
  expect(entry.DetailType).toBe('Rollout Promoted');
  expect(JSON.parse(entry.Detail!)).toEqual({
    endpointName: ENDPOINT, rolloutId: context().rolloutId, kind: 'rollout', versionId: CANDIDATE_ID, slot: 'green', previousStable, standby,
  });
});

test.each([
  ['a rollout without a revert window', () => promoting({ spec: spec({ plan: plan({ revertWindowSeconds: 0 }) }) }), 'retire'],
  ['the create of a new endpoint', () => promoting({ kind: 'create', candidateSlot: 'blue', stableSlot: undefined }), 'release'],
])('a Promote of %s retried after its state write records and announces the promotion once, and goes on as the first did', async (_, ctx, next) => {
  if (ctx().kind === 'create') {
    putState(aws.table, { endpointName: ENDPOINT, phase: 'rolling-out', revision: 1, lock: { rolloutId: context().rolloutId, executionArn: EXECUTION_ARN, since: T0 } });
  } else {
    putState(aws.table, rollingOut({ weights: { blue: 0, green: 100 } }));
  }
  await promote(ctx(), env);
  const again = await promote(ctx(), { ...env, now: T0 + 5_000 });
  expect(again).toMatchObject({ next, outcome: 'promoted' });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['promoted']);
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
});

test('a Promote retried after an operator or alarm started rolling the endpoint back is refused: no answer, no second record', async () => {
  putState(aws.table, rollingOut({ weights: { blue: 0, green: 100 } }));
  await promote(promoting(), env);
  putState(aws.table, { ...(aws.table.state(ENDPOINT) as unknown as EndpointState), phase: 'rolling-back' });
  await expect(promote(promoting(waiting()), { ...env, now: T0 + 5_000 })).rejects.toMatchObject({ name: 'LockLost' });
  expect(cfn.answers).toEqual([]);
  expect(aws.table.decisions(ENDPOINT)).toEqual(['promoted']);
});

/** A history entry of a rollout, as the controller writes it. */
function historyEntry(rolloutId: string, decision: string, at: number): void {
  putRecord(aws.table, `HISTORY#${String(at).padStart(13, '0')}#0000`, { at, endpointName: ENDPOINT, rolloutId, decision, reason: decision, actor: 'controller' });
}

test('a Promote whose first attempt stopped after the state write, before recording, records and announces the promotion on retry', async () => {
  putState(aws.table, rollingOut({ weights: { blue: 0, green: 100 } }));
  await promote(promoting(), env);
  // As if that attempt had died before its record: this rollout's earlier decisions and another rollout's promotion remain.
  aws.table.reset();
  putRecord(aws.table, `VERSION#${CANDIDATE_ID}`, { endpointName: ENDPOINT, versionId: CANDIDATE_ID, spec: version(), registeredAt: T0 - 1, registeredBy: 'cloudformation' });
  putState(aws.table, { ...rollingOut(), phase: 'watching', candidate: undefined, stable: { slot: 'green', versionId: CANDIDATE_ID, configName: CANARY_CONFIG, since: T0 },
    standby: { slot: 'blue', versionId: STABLE_ID, configName: STABLE_CONFIG, until: T0 + 600_000 } });
  historyEntry('r000000001-aaaaaa', 'promoted', T0 - 86_400_000);
  historyEntry(context().rolloutId, 'traffic-shifted', T0 - 60_000);
  aws.events.resetHistory();
  const again = await promote(promoting(), { ...env, now: T0 + 5_000 });
  expect(again).toMatchObject({ next: 'watch', outcome: 'promoted' });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['promoted', 'traffic-shifted', 'promoted']);
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
});

test('a retried Promote finds its own record among the rollout\'s other decisions and does not record it again', async () => {
  historyEntry(context().rolloutId, 'traffic-shifted', T0 - 60_000);
  putState(aws.table, rollingOut({ weights: { blue: 0, green: 100 } }));
  await promote(promoting(), env);
  await promote(promoting(), { ...env, now: T0 + 5_000 });
  expect(aws.table.decisions(ENDPOINT)).toEqual(['traffic-shifted', 'promoted']);
});

test.each([
  ['no state', undefined],
  ['a state whose lock was released', { lock: undefined, phase: 'idle' as const }],
])('a Promote for an endpoint with %s fails as LockLost (the rollout no longer owns it), changing nothing', async (_, overrides) => {
  if (overrides) putState(aws.table, rollingOut(overrides));
  await expect(promote(promoting(), env)).rejects.toMatchObject({ name: 'LockLost' });
  expect(aws.table.decisions(ENDPOINT)).toEqual([]);
});

describe('autoscaling follows the slot that serves', () => {
  const scaling = { minCapacity: 2, maxCapacity: 6, targetInvocationsPerInstance: 600, scaleInCooldownSeconds: 300, scaleOutCooldownSeconds: 300 };

  test('promotion registers the new stable with its policy, then deregisters the old stable (the standby keeps its instances for a revert)', async () => {
    putState(aws.table, rollingOut({ weights: { blue: 0, green: 100 } }));
    await promote(promoting({ spec: spec({ autoScaling: scaling }) }), env);
    const calls = aws.autoScaling.calls().map((c) => [c.args[0].constructor.name, (c.args[0].input as { ResourceId?: string }).ResourceId]);
    expect(calls).toEqual([
      ['RegisterScalableTargetCommand', `endpoint/${ENDPOINT}/variant/green`],
      ['PutScalingPolicyCommand', `endpoint/${ENDPOINT}/variant/green`],
      ['DeregisterScalableTargetCommand', `endpoint/${ENDPOINT}/variant/blue`],
    ]);
    expect(aws.autoScaling).toHaveReceivedCommandWith(RegisterScalableTargetCommand, {
      MinCapacity: 2, MaxCapacity: 6, SuspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false },
    });
    expect(aws.autoScaling).toHaveReceivedCommandWith(PutScalingPolicyCommand, {
      PolicyName: 'sagemaker-rollout-green', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 600, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' }, ScaleInCooldown: 300, ScaleOutCooldown: 300 },
    });
    expect(aws.table.decisions(ENDPOINT)).toEqual(['autoscaling-moved', 'promoted']);
  });

  test('without autoScaling nothing is registered', async () => {
    putState(aws.table, rollingOut({ weights: { blue: 0, green: 100 } }));
    await promote(promoting(), env);
    expect(aws.autoScaling.calls()).toHaveLength(0);
  });
});
