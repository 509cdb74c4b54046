import './support/env';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { EndpointSpec, EndpointState, RolloutContext, executionName, rolloutIdOf } from '../../../lambda/core';
import { LOCK_START_GRACE_MS } from '../../../lambda/core/lock-decision';
import { handleDeploy } from '../../../lambda/handlers/deploy';
import { startDrill } from '../../../lambda/handlers/operations/drill';
import { onModelPackageStateChange } from '../../../lambda/handlers/operations/registry-approval';
import { retryRollout } from '../../../lambda/handlers/operations/retry';
import { undo } from '../../../lambda/handlers/operations/undo';
import { once } from '../../../lambda/aws/retry';
import { getState } from '../../../lambda/aws/state-table';
import { historySortKey } from '../../../lambda/aws/history';
import { mockAws } from './support/aws-mocks';
import { CfnServer, cfnEvent } from './support/cfn-server';
import { CANDIDATE_ID, ENDPOINT, STABLE_ID, STABLE_VERSION, T0, plan, putRecord, putState, spec, stableOnly, version } from './support/fixtures';

/**
 * Two starters in the same second (fuzz-found 3315): a drill and a deploy each read an idle endpoint with no lock. The
 * one that starts first takes the lock before it starts (AcquireLock has not run yet), so the second sees it: under
 * reject a deploy answers FAILED naming the holder instead of a SUCCESS its AcquireLock would contradict.
 */
const aws = mockAws();
const cfn = new CfnServer();
const noWait = { sleep: async () => undefined };
const MACHINE_ARN = 'arn:aws:states:us-east-1:111122223333:execution:rollout';
const NEXT = version({ environment: { MODEL: 'v3' } });
const policy = (concurrency: 'reject' | 'supersede'): EndpointSpec => spec({ version: NEXT, plan: plan({ concurrency }) });

beforeAll(() => cfn.start());
afterAll(() => cfn.stop());

/** Executions that were started run (AcquireLock has not run in them yet); any other name does not exist. */
function stepFunctions(): void {
  const started = new Set<string>();
  aws.sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => {
    started.add(`${MACHINE_ARN}:${input.name}`);
    return { executionArn: `${MACHINE_ARN}:${input.name}`, startDate: new Date(T0) };
  });
  aws.sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
    if (started.has(input.executionArn)) return { status: 'RUNNING' };
    throw Object.assign(new Error('no such execution'), { name: 'ExecutionDoesNotExist' });
  });
}

function update(desired: EndpointSpec): CloudFormationCustomResourceEvent {
  return cfnEvent('Update', JSON.stringify(desired), cfn.url, ENDPOINT);
}

const startedNames = () => aws.sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
const deployRollout = rolloutIdOf(T0, 'req-Update');

beforeEach(() => {
  aws.reset();
  cfn.answers.length = 0;
  stepFunctions();
  putRecord(aws.table, `VERSION#${STABLE_ID}`, { endpointName: ENDPOINT, versionId: STABLE_ID, spec: STABLE_VERSION, registeredAt: T0 - 1 });
});

describe.each(['reject', 'supersede'] as const)('concurrency policy %s', (concurrency) => {
  beforeEach(() => putState(aws.table, stableOnly({ spec: spec({ version: STABLE_VERSION, plan: plan({ concurrency }) }) })));

  test('a drill that started first holds the endpoint before its execution took the lock', async () => {
    const drill = await startDrill({ endpointName: ENDPOINT, by: 'operator', reason: 'game day', now: T0, retry: once });
    expect(drill).toMatchObject({ started: true });
    const drillRollout = drill.started ? drill.rolloutId : '';

    const result = await handleDeploy(update(policy(concurrency)), T0, noWait);

    if (concurrency === 'reject') {
      // FAILED naming the holder, and nothing started: CloudFormation is never told SUCCESS for a rollout that never runs.
      expect(result).toMatchObject({ status: 'FAILED', reason: expect.stringContaining(`rollout ${drillRollout} holds endpoint`) });
      expect(cfn.answers).toEqual([expect.objectContaining({ Status: 'FAILED' })]);
      expect(startedNames()).toEqual([executionName(ENDPOINT, drillRollout)]);
      expect(aws.table.decisions(ENDPOINT)).toEqual(['drill-started', 'deploy-refuse']);
    } else {
      // Supersede: the deploy's rollout starts; its AcquireLock stops the drill and takes the endpoint.
      expect(result).toMatchObject({ status: 'SUCCESS' });
      expect(startedNames()).toEqual([executionName(ENDPOINT, drillRollout), executionName(ENDPOINT, deployRollout)]);
    }
    // The lock stays the drill's (named by its execution) until an AcquireLock takes it.
    expect((await getState(ENDPOINT))?.lock).toMatchObject({ rolloutId: drillRollout, executionArn: `${MACHINE_ARN}:${executionName(ENDPOINT, drillRollout)}`, starting: true });
  });

  test('a deploy that started first holds the endpoint: the drill is refused, naming its rollout', async () => {
    const result = await handleDeploy(update(policy(concurrency)), T0, noWait);
    expect(result).toMatchObject({ status: 'SUCCESS' });

    const drill = await startDrill({ endpointName: ENDPOINT, by: 'operator', reason: 'game day', now: T0, retry: once });
    expect(drill).toMatchObject({ started: false, reason: expect.stringContaining(`rollout ${deployRollout} holds it`) });
    expect(startedNames()).toEqual([executionName(ENDPOINT, deployRollout)]);
    expect((await getState(ENDPOINT))?.lock).toMatchObject({ rolloutId: deployRollout, executionArn: `${MACHINE_ARN}:${executionName(ENDPOINT, deployRollout)}`, starting: true });
  });
});

describe('a starter that took the lock but never started its execution', () => {
  beforeEach(() => putState(aws.table, stableOnly({ spec: spec({ version: STABLE_VERSION, plan: plan({ concurrency: 'reject' }) }) })));

  test('a start that fails gives the lock back: the deploy answers FAILED and the endpoint is free', async () => {
    aws.sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('state machine deleted'), { name: 'StateMachineDoesNotExist' }));
    const result = await handleDeploy(update(policy('reject')), T0, noWait);
    expect(result).toMatchObject({ status: 'FAILED', reason: expect.stringContaining('state machine deleted') });
    expect((await getState(ENDPOINT))?.lock).toBeUndefined();
    // CloudFormation is told, not left waiting for a rollout that never began; a redelivery answers the same.
    expect(result.respondNow).toBe(true);
    expect(cfn.answers.map((a) => a.Status)).toEqual(['FAILED']);
    const again = await handleDeploy(update(policy('reject')), T0 + 5_000, noWait);
    expect(again).toMatchObject({ status: 'FAILED', reason: expect.stringContaining('did not start'), respondNow: true });
    expect(aws.sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  test('a start whose answer was lost (the execution runs) is a started rollout: SUCCESS, the claim kept', async () => {
    aws.sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    aws.sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    const result = await handleDeploy(update(policy('reject')), T0, noWait);
    expect(result).toMatchObject({ status: 'SUCCESS', respondNow: true });
    expect(cfn.answers.map((a) => a.Status)).toEqual(['SUCCESS']);
    expect((await getState(ENDPOINT))?.lock?.rolloutId).toBe(deployRollout);
  });

  test('a failure after the claim, before the start (the decision not recorded), answers FAILED: CloudFormation is not left waiting', async () => {
    aws.table.failNextWrite(historySortKey(T0, 0), Object.assign(new Error('item too large'), { name: 'ValidationException' }));
    const result = await handleDeploy(update(policy('reject')), T0, noWait);
    expect(result).toMatchObject({ status: 'FAILED', respondNow: true });
    expect(cfn.answers.map((a) => a.Status)).toEqual(['FAILED']);
    expect(aws.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect((await getState(ENDPOINT))?.lock).toBeUndefined();
  });

  test('a lock whose starter stopped before the start holds for the grace, then holds nothing', async () => {
    const ghost = 'r000000099-cccccc';
    putState(aws.table, stableOnly({
      spec: spec({ version: STABLE_VERSION, plan: plan({ concurrency: 'reject' }) }),
      lock: { rolloutId: ghost, executionArn: `${MACHINE_ARN}:${executionName(ENDPOINT, ghost)}`, since: T0, starting: true },
    }));
    const refused = await handleDeploy(update(policy('reject')), T0 + LOCK_START_GRACE_MS - 1000, noWait);
    expect(refused).toMatchObject({ status: 'FAILED', reason: expect.stringContaining(`rollout ${ghost} holds endpoint`) });

    const later = T0 + LOCK_START_GRACE_MS;
    const result = await handleDeploy({ ...update(policy('reject')), RequestId: 'req-later' } as CloudFormationCustomResourceEvent, later, noWait);
    expect(result).toMatchObject({ status: 'SUCCESS' });
    expect((await getState(ENDPOINT))?.lock).toMatchObject({ rolloutId: rolloutIdOf(later, 'req-later'), starting: true });
    expect(JSON.parse(aws.sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!) as RolloutContext).toMatchObject({ rolloutId: rolloutIdOf(later, 'req-later') });
  });
});

describe('the other starters see a lock another starter took (its execution not begun)', () => {
  const other = 'r000000077-dddddd';
  const otherLock = { rolloutId: other, executionArn: `${MACHINE_ARN}:${executionName(ENDPOINT, other)}`, since: T0, starting: true };
  const CURRENT = version();

  /** Idle on `CURRENT` (green), promoted after STABLE_VERSION (the version undo brings back), with `otherLock` held. */
  function idle(concurrency: 'reject' | 'supersede', overrides: Partial<EndpointState> = {}): void {
    putState(aws.table, stableOnly({
      stable: { slot: 'green', versionId: CANDIDATE_ID, configName: 'c-green', since: T0 - 1_000_000 },
      spec: spec({ version: CURRENT, plan: plan({ concurrency }) }),
      lock: otherLock,
      ...overrides,
    }));
    putRecord(aws.table, `VERSION#${STABLE_ID}`, { endpointName: ENDPOINT, versionId: STABLE_ID, spec: STABLE_VERSION, registeredAt: T0 - 3e6, promotedAt: T0 - 2e6 });
    putRecord(aws.table, `VERSION#${CANDIDATE_ID}`, { endpointName: ENDPOINT, versionId: CANDIDATE_ID, spec: CURRENT, registeredAt: T0 - 2e6, promotedAt: T0 - 1e6 });
  }

  test('undo under reject: nothing undone, nothing marked, the holder named; under supersede it starts', async () => {
    idle('reject');
    const refused = await undo({ state: await getState(ENDPOINT), endpointName: ENDPOINT, actor: 'operator', reason: 'bad', now: T0 + 1000, retry: once });
    expect(refused).toMatchObject({ decision: { action: 'none', reason: expect.stringContaining(`rollout ${other} holds endpoint`) } });
    expect(startedNames()).toEqual([]);
    expect(aws.table.decisions(ENDPOINT)).toEqual([]);
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)?.rolledBackAt).toBeUndefined();

    idle('supersede');
    const done = await undo({ state: await getState(ENDPOINT), endpointName: ENDPOINT, actor: 'operator', reason: 'bad', now: T0 + 1000, retry: once });
    expect(done).toMatchObject({ decision: { action: 'rollout' } });
    expect(startedNames()).toEqual([executionName(ENDPOINT, done.rolloutId!)]);
  });

  test('retry under reject: refused naming the holder, nothing started', async () => {
    idle('reject', { stable: { slot: 'blue', versionId: STABLE_ID, configName: 'c-blue', since: T0 - 1_000_000 } });
    putRecord(aws.table, 'ROLLOUT#r000000050-eeeeee', { endpointName: ENDPOINT, rolloutId: 'r000000050-eeeeee', versionId: CANDIDATE_ID, startedAt: T0 - 5000, outcome: 'rolled-back' });
    await expect(retryRollout({ endpointName: ENDPOINT, by: 'operator', reason: 'fixed', now: T0 + 1000, retry: once }))
      .rejects.toThrow(`cannot retry: rollout ${other} holds endpoint`);
    expect(startedNames()).toEqual([]);
  });

  test('registry approval under reject: ignored and recorded naming the holder, nothing started', async () => {
    const GROUP = 'fraud-models';
    const pkg = (n: number) => `arn:aws:sagemaker:us-east-1:111122223333:model-package/${GROUP}/${n}`;
    const declared = spec({ version: { ...STABLE_VERSION, image: undefined, modelDataUrl: undefined, modelPackageArn: pkg(1) }, registry: { modelPackageGroupName: GROUP }, plan: plan({ concurrency: 'reject' }) });
    putState(aws.table, stableOnly({ spec: declared, lock: otherLock }));
    aws.table.put({ pk: `REGISTRY#${GROUP}`, sk: `ENDPOINT#${ENDPOINT}`, endpointName: ENDPOINT });
    const [result] = await onModelPackageStateChange({
      source: 'aws.sagemaker', 'detail-type': 'SageMaker Model Package State Change',
      detail: { ModelPackageArn: pkg(2), ModelPackageGroupName: GROUP, ModelApprovalStatus: 'Approved' },
    }, T0 + 1000, once);
    expect(result).toMatchObject({ action: 'ignore', reason: expect.stringContaining(`rollout ${other} holds endpoint`) });
    expect(startedNames()).toEqual([]);
    expect(aws.table.decisions(ENDPOINT)).toEqual(['registry-ignored']);
    expect((await getState(ENDPOINT))?.lock).toEqual(otherLock);
  });
});
