import './support/env';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { DeleteEndpointCommand, UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { DescribeExecutionCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { EndpointSpec, RolloutContext, endpointConfigName, executionName, modelName, rolloutIdOf, versionIdOf } from '../../../lambda/core';
import { DELETE_RETRY_BUDGET_MS, handleDeploy } from '../../../lambda/handlers/deploy';
import { answerCloudFormation } from '../../../lambda/handlers/actions/answer-cloudformation';
import { mockAws } from './support/aws-mocks';
import { CfnServer, cfnEvent as deployEvent } from './support/cfn-server';
import { validationError } from './support/fake-sagemaker';
import {
  CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, IMAGE_DIGEST, OWNER, STABLE_CONFIG, STABLE_ID, STABLE_VERSION, T0, context, putRecord, putState, rollingOut, spec, stableOnly, variant, version,
} from './support/fixtures';

const aws = mockAws();
const cfn = new CfnServer();
const noWait = { sleep: async () => undefined };
const REPO = '111122223333.dkr.ecr.us-east-1.amazonaws.com/fraud';
const STARTED_ARN = 'arn:aws:states:us-east-1:111122223333:execution:rollout:started';

beforeAll(() => cfn.start());
afterAll(() => cfn.stop());
beforeEach(() => {
  aws.reset();
  cfn.answers.length = 0;
  aws.sfn.on(StartExecutionCommand).resolves({ executionArn: STARTED_ARN });
  aws.sfn.on(StopExecutionCommand).resolves({});
  // The stopped rollout owed CloudFormation nothing (it was not a waitForRollout deploy).
  aws.sfn.on(DescribeExecutionCommand).resolves({ status: 'ABORTED', input: JSON.stringify({ rolloutId: 'r1' }) });
});

function cfnEvent(requestType: 'Create' | 'Update' | 'Delete', desired: EndpointSpec, extra: Record<string, unknown> = {}): CloudFormationCustomResourceEvent {
  return deployEvent(requestType, JSON.stringify(desired), cfn.url, ENDPOINT, extra);
}

const started = (): RolloutContext => JSON.parse(aws.sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!);

describe('Create', () => {
  test('pins the ECR tag, indexes the guard alarms, starts a create rollout and leaves the answer to it (the first smoke test)', async () => {
    aws.ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: IMAGE_DIGEST }] });
    const declared = spec({
      version: version({ image: `${REPO}:v2` }),
      guards: [
        { name: 'errors', blue: ['fraud-errors-blue'], green: ['fraud-errors-green'] },
        { name: 'business', blue: ['fraud-kpi'], green: ['fraud-kpi'] },
      ],
    });
    const result = await handleDeploy(cfnEvent('Create', declared), T0, noWait);

    const pinnedVersion = version({ image: `${REPO}@${IMAGE_DIGEST}` });
    const versionId = versionIdOf(pinnedVersion);
    const rolloutId = rolloutIdOf(T0, 'req-Create');
    expect(aws.sfn).toHaveReceivedCommandWith(StartExecutionCommand, { name: executionName(ENDPOINT, rolloutId) });
    expect(started()).toEqual({
      rolloutId,
      kind: 'create',
      spec: { ...declared, version: pinnedVersion },
      trigger: { by: 'cloudformation', reason: 'stack create' },
      versionId,
      owner: OWNER,
      // Even without waitForRollout: a create is answered once its first version passed its smoke test (or failed).
      cfnResponse: {
        responseUrl: cfn.url,
        stackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/app/1',
        requestId: 'req-Create',
        logicalResourceId: 'FraudEndpoint',
        physicalResourceId: ENDPOINT,
      },
    });
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, 'STATE')).toMatchObject({ owner: { ...OWNER, since: T0 } });
    expect(aws.table.get('ALARM#fraud-errors-green', 'ALARM')).toMatchObject({ endpointName: ENDPOINT, slots: ['green'] });
    expect(aws.table.get('ALARM#fraud-kpi', 'ALARM')).toMatchObject({ endpointName: ENDPOINT, slots: ['blue', 'green'] });
    expect(result).toMatchObject({ status: 'SUCCESS', respondNow: false });
    expect(cfn.answers).toEqual([]);
    expect(aws.table.decisions(ENDPOINT)).toEqual(['ownership-claim', 'deploy-create']);
  });

  test('a redelivered Create is not answered by the deploy provider either: the create rollout answers it', async () => {
    await handleDeploy(cfnEvent('Create', spec()), T0, noWait);
    const again = await handleDeploy(cfnEvent('Create', spec()), T0 + 1000, noWait);
    expect(again).toMatchObject({ status: 'SUCCESS', respondNow: false });
    expect(aws.sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(cfn.answers).toEqual([]);
  });

  test('with waitForRollout the answer is left to the rollout (its Release task)', async () => {
    await handleDeploy(cfnEvent('Create', spec({ waitForRollout: true })), T0, noWait);
    expect(cfn.answers).toEqual([]);
    expect(started().cfnResponse).toEqual({
      responseUrl: cfn.url,
      stackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/app/1',
      requestId: 'req-Create',
      logicalResourceId: 'FraudEndpoint',
      physicalResourceId: ENDPOINT,
    });
  });

  test('an unexpected error answers FAILED with the message and a physical id that names no endpoint', async () => {
    const event = cfnEvent('Create', spec());
    (event.ResourceProperties as Record<string, unknown>).Spec = '{"endpointName": ';
    const result = await handleDeploy(event, T0, noWait);
    expect(result.status).toBe('FAILED');
    expect(cfn.answers).toEqual([
      expect.objectContaining({ Status: 'FAILED', PhysicalResourceId: 'create-failed-req-Create', Reason: expect.stringContaining('ResourceProperties.Spec is not valid JSON') }),
    ]);
  });
});

describe('Update', () => {
  test('with waitForRollout, a deploy of the version rolling out joins that rollout and is answered by it, once', async () => {
    putState(aws.table, rollingOut());
    await handleDeploy(cfnEvent('Update', spec({ waitForRollout: true })), T0, noWait);
    expect(cfn.answers).toEqual([]);
    expect(aws.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(aws.table.decisions(ENDPOINT)).toEqual(['deploy-join']);
    // The rollout (started by someone else: it owes no deploy of its own) ends inconclusive: the joined deploy hears it.
    const ctx = context();
    await answerCloudFormation(ctx, 'inconclusive', 'metrics not arrived past deadline');
    await answerCloudFormation(ctx, 'inconclusive', 'metrics not arrived past deadline');
    expect(cfn.answers).toEqual([expect.objectContaining({
      Status: 'FAILED', RequestId: 'req-Update', PhysicalResourceId: ENDPOINT, Reason: `rollout ${ctx.rolloutId} ended inconclusive: metrics not arrived past deadline`,
    })]);
    // A deploy joining after the rollout answered is answered at once, the same way.
    await handleDeploy({ ...cfnEvent('Update', spec({ waitForRollout: true })), RequestId: 'req-late' } as CloudFormationCustomResourceEvent, T0 + 1, noWait);
    expect(cfn.answers).toHaveLength(2);
    expect(cfn.answers[1]).toMatchObject({ Status: 'FAILED', RequestId: 'req-late', Reason: cfn.answers[0].Reason });
  });

  test('without waitForRollout, a deploy of the version rolling out is answered SUCCESS at once', async () => {
    putState(aws.table, rollingOut());
    await handleDeploy(cfnEvent('Update', spec()), T0, noWait);
    expect(cfn.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS', Data: expect.objectContaining({ RolloutId: context().rolloutId }) })]);
  });

  test('a new version starts a rollout beside stable', async () => {
    putState(aws.table, stableOnly());
    await handleDeploy(cfnEvent('Update', spec()), T0, noWait);
    expect(started()).toMatchObject({ kind: 'rollout', versionId: CANDIDATE_ID, trigger: { reason: 'stack update' } });
    expect(cfn.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS', Data: expect.objectContaining({ VersionId: CANDIDATE_ID }) })]);
  });

  test('the stable version again is a no-op: nothing started, live weights untouched', async () => {
    putState(aws.table, stableOnly());
    await handleDeploy(cfnEvent('Update', spec({ version: STABLE_VERSION })), T0, noWait);
    expect(aws.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateEndpointWeightsAndCapacitiesCommand);
    expect(cfn.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS', Data: { EndpointName: ENDPOINT, VersionId: STABLE_ID, RolloutId: 'none' } })]);
    expect(aws.table.decisions(ENDPOINT)).toEqual(['deploy-noop']);
  });

  test('a version that was rolled back is refused until rolloutAttempt is raised', async () => {
    putState(aws.table, stableOnly());
    putRecord(aws.table, `VERSION#${CANDIDATE_ID}`, { endpointName: ENDPOINT, versionId: CANDIDATE_ID, spec: version(), registeredAt: T0 - 9, registeredBy: 'cloudformation', rolledBackAttempt: 0 });
    await handleDeploy(cfnEvent('Update', spec()), T0, noWait);
    expect(aws.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(cfn.answers).toEqual([expect.objectContaining({ Status: 'FAILED', PhysicalResourceId: ENDPOINT, Reason: expect.stringContaining('raise rolloutAttempt to 1') })]);
    expect(aws.table.decisions(ENDPOINT)).toEqual(['deploy-refuse']);

    cfn.answers.length = 0;
    await handleDeploy(cfnEvent('Update', spec({ rolloutAttempt: 1 }), { RequestId: 'req-retry' }), T0 + 1, noWait);
    expect(started()).toMatchObject({ kind: 'rollout', versionId: CANDIDATE_ID });
    expect(cfn.answers[0].Status).toBe('SUCCESS');
  });

  test('an update that keeps a rolled-back version (another property changed, or a stack rollback) is a no-op, not a refusal', async () => {
    putState(aws.table, stableOnly());
    putRecord(aws.table, `VERSION#${CANDIDATE_ID}`, { endpointName: ENDPOINT, versionId: CANDIDATE_ID, spec: version(), registeredAt: T0 - 9, registeredBy: 'cloudformation', rolledBackAttempt: 0 });
    const unchanged = cfnEvent('Update', spec({ plan: { ...spec().plan, checkIntervalSeconds: 45 } }), { OldResourceProperties: { Spec: JSON.stringify(spec()) } });
    await handleDeploy(unchanged, T0, noWait);
    expect(aws.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(cfn.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS' })]);
    expect(aws.table.history(ENDPOINT)[0]).toMatchObject({ decision: 'deploy-noop', reason: expect.stringContaining('this update does not change version') });
  });

  test('a stack rollback to the stable version mid-rollout aborts it and returns traffic to stable', async () => {
    const rollout = context();
    putState(aws.table, rollingOut({ weights: { blue: 90, green: 10 } }));
    putRecord(aws.table, `ROLLOUT#${rollout.rolloutId}`, { endpointName: ENDPOINT, rolloutId: rollout.rolloutId, startedAt: T0 - 1, executionArn: EXECUTION_ARN });
    putRecord(aws.table, `VERSION#${CANDIDATE_ID}`, { endpointName: ENDPOINT, versionId: CANDIDATE_ID, spec: version(), registeredAt: T0 - 9, registeredBy: 'cloudformation' });
    aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 90, green: 10 });

    await handleDeploy(cfnEvent('Update', spec({ version: STABLE_VERSION })), T0, noWait);

    expect(aws.sfn).toHaveReceivedCommandWith(StopExecutionCommand, { executionArn: EXECUTION_ARN, cause: expect.stringContaining('aborted by stack rollback') });
    expect(aws.sagemaker.weights()).toEqual({ blue: { current: 100, desired: 100 }, green: { current: 0, desired: 0 } });
    expect(aws.table.decisions(ENDPOINT)).toEqual(['deploy-abort-to-stable', 'aborted']);
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${rollout.rolloutId}`)).toMatchObject({ outcome: 'aborted' });
    // An abort says nothing about the candidate's quality.
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).not.toHaveProperty('rolledBackAttempt');
    expect(aws.sfn).toHaveReceivedCommandWith(StartExecutionCommand, { name: executionName(ENDPOINT, `${rollout.rolloutId}-abort`) });
    expect(started()).toMatchObject({ rolloutId: rollout.rolloutId, next: 'rollback', outcome: 'aborted', versionId: CANDIDATE_ID });
    expect(aws.table.state(ENDPOINT)).toMatchObject({ phase: 'rolling-back', lock: { rolloutId: rollout.rolloutId, executionArn: STARTED_ARN } });
    expect(cfn.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS', Data: expect.objectContaining({ VersionId: STABLE_ID, RolloutId: rollout.rolloutId }) })]);
  });

  test('a stack rollback to the standby version inside the revert window reverts to it', async () => {
    putState(aws.table, rollingOut({
      phase: 'watching',
      candidate: undefined,
      stable: { slot: 'green', versionId: CANDIDATE_ID, configName: CANARY_CONFIG, since: T0 - 1 },
      standby: { slot: 'blue', versionId: STABLE_ID, configName: STABLE_CONFIG, until: T0 + 600_000 },
    }));
    putRecord(aws.table, `VERSION#${CANDIDATE_ID}`, { endpointName: ENDPOINT, versionId: CANDIDATE_ID, spec: version(), registeredAt: T0 - 9, registeredBy: 'cloudformation' });
    aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 0, green: 100 });
    await handleDeploy(cfnEvent('Update', spec({ version: STABLE_VERSION })), T0, noWait);
    expect(aws.sagemaker.weights().blue.desired).toBe(100);
    expect(aws.table.state(ENDPOINT)?.stable).toMatchObject({ slot: 'blue', versionId: STABLE_ID });
    // CloudFormation undoing the stack is no verdict on the promoted version: not marked, the rollout ends aborted.
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `VERSION#${CANDIDATE_ID}`)).not.toHaveProperty('rolledBackAttempt');
    expect(started()).toMatchObject({ next: 'retire', outcome: 'aborted' });
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${rollingOut().lock!.rolloutId}`)).toMatchObject({ outcome: 'aborted' });
    expect(aws.table.history(ENDPOINT)).toContainEqual(expect.objectContaining({
      decision: 'reverted', actor: 'cloudformation',
      evidence: expect.objectContaining({ revertedVersionId: CANDIDATE_ID, restoredVersionId: STABLE_ID, verdict: false }),
    }));
    expect(cfn.answers[0].Status).toBe('SUCCESS');
  });

  test('a new endpoint name is a Create of that endpoint (CloudFormation deletes the old one)', async () => {
    putState(aws.table, stableOnly());
    await handleDeploy(cfnEvent('Update', spec({ endpointName: 'fraud-scorer-v2' })), T0, noWait);
    expect(started()).toMatchObject({ kind: 'create', spec: { endpointName: 'fraud-scorer-v2' }, cfnResponse: { physicalResourceId: 'fraud-scorer-v2' } });
    expect(cfn.answers).toEqual([]);
  });

  test('with the reject policy, a new version while a rollout runs is refused here with the reason: FAILED, nothing started', async () => {
    putState(aws.table, rollingOut());
    aws.sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    const next = version({ environment: { MODEL: 'v3' } });
    const rejecting = (v = next) => spec({ version: v, plan: { ...spec().plan, concurrency: 'reject' } });
    const result = await handleDeploy(cfnEvent('Update', rejecting()), T0, noWait);
    expect(result).toMatchObject({ status: 'FAILED', respondNow: true, reason: expect.stringContaining('concurrency policy is reject') });
    expect(aws.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(aws.sfn).not.toHaveReceivedCommand(StopExecutionCommand);
    expect(cfn.answers).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringContaining(`rollout ${rollingOut().lock!.rolloutId} holds endpoint`) })]);
    expect(aws.table.decisions(ENDPOINT)).toEqual(['deploy-refuse']);
  });

  test('with the reject policy, a lock whose execution no longer runs refuses nothing', async () => {
    putState(aws.table, rollingOut());
    aws.sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED' });
    await handleDeploy(cfnEvent('Update', spec({ version: version({ environment: { MODEL: 'v3' } }), plan: { ...spec().plan, concurrency: 'reject' } })), T0, noWait);
    expect(aws.sfn).toHaveReceivedCommand(StartExecutionCommand);
    expect(cfn.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS' })]);
  });
});

describe('Delete', () => {
  // Other endpoints whose names start the same way, chosen so their resources even share the listing filter
  // (the common prefix of this endpoint's names): only the names derived from this endpoint's records are deleted.
  const configNeighbour = `${ENDPOINT}-r00000000`;
  const modelNeighbour = `${ENDPOINT}-mv`;
  beforeEach(() => {
    putState(aws.table, rollingOut());
    putRecord(aws.table, `VERSION#${STABLE_ID}`, { endpointName: ENDPOINT, versionId: STABLE_ID });
    putRecord(aws.table, `VERSION#${CANDIDATE_ID}`, { endpointName: ENDPOINT, versionId: CANDIDATE_ID });
    putRecord(aws.table, 'ROLLOUT#r000000001-aaaaaa', { endpointName: ENDPOINT, rolloutId: 'r000000001-aaaaaa' });
    putRecord(aws.table, `ROLLOUT#${context().rolloutId}`, { endpointName: ENDPOINT, rolloutId: context().rolloutId });
    putRecord(aws.table, 'HISTORY#0000000000001#0000', { decision: 'promoted' });
    aws.sagemaker.serve(ENDPOINT, CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)], { blue: 90, green: 10 });
    aws.sagemaker.configs.set(STABLE_CONFIG, [variant('blue', STABLE_ID, 1)]);
    // Another endpoint whose name starts the same way: its resources must survive.
    aws.sagemaker.configs.set(endpointConfigName(configNeighbour, 'r000000001-aaaaaa', ['blue']), []);
    aws.sagemaker.models.add(modelName(modelNeighbour, STABLE_ID, 'blue'));
  });

  test('stops the rollout, deletes the endpoint and only the configs and models made for it, keeps the history', async () => {
    await handleDeploy(cfnEvent('Delete', spec()), T0, noWait);
    expect(aws.sfn).toHaveReceivedCommandWith(StopExecutionCommand, { executionArn: EXECUTION_ARN });
    expect(aws.sagemaker.mock).toHaveReceivedCommandWith(DeleteEndpointCommand, { EndpointName: ENDPOINT });
    expect([...aws.sagemaker.configs.keys()]).toEqual([endpointConfigName(configNeighbour, 'r000000001-aaaaaa', ['blue'])]);
    expect([...aws.sagemaker.models]).toEqual([modelName(modelNeighbour, STABLE_ID, 'blue')]);
    expect(aws.table.state(ENDPOINT)).toEqual({ pk: `ENDPOINT#${ENDPOINT}`, sk: 'STATE', endpointName: ENDPOINT, phase: 'idle', revision: 5 });
    expect(aws.table.decisions(ENDPOINT)).toEqual(['promoted', 'deleted']);
    expect(cfn.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: ENDPOINT })]);
  });

  // Found by the timeline fuzzer (scenarios/fuzz-found-1001.json): Lambda's queue delivered a stack rollback's Delete
  // again after the next deploy had created the endpoint anew, and the second delivery stopped that rollout.
  test('a Delete delivered again is answered as the first delivery was and touches nothing', async () => {
    await handleDeploy(cfnEvent('Delete', spec()), T0, noWait);
    // The endpoint is created again (a new rollout holds it) before Lambda delivers the same Delete a second time.
    putState(aws.table, rollingOut());
    aws.sfn.resetHistory();
    aws.sagemaker.mock.resetHistory();
    cfn.answers.length = 0;
    await handleDeploy(cfnEvent('Delete', spec()), T0 + 60_000, noWait);
    expect(aws.sfn).not.toHaveReceivedCommand(StopExecutionCommand);
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(DeleteEndpointCommand);
    expect(aws.table.state(ENDPOINT)).toMatchObject({ phase: 'rolling-out', lock: { executionArn: EXECUTION_ARN } });
    expect(cfn.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: ENDPOINT, Reason: `endpoint ${ENDPOINT} deleted` })]);
    expect(aws.table.decisions(ENDPOINT)).toEqual(['promoted', 'deleted']);
  });

  test('retries DeleteEndpoint while the endpoint is busy', async () => {
    const busy = validationError(`Cannot delete in-progress endpoint "arn:aws:sagemaker:us-east-1:111122223333:endpoint/${ENDPOINT}".`);
    aws.sagemaker.mock.on(DeleteEndpointCommand).rejectsOnce(busy).rejectsOnce(busy).resolves({});
    await handleDeploy(cfnEvent('Delete', spec()), T0, noWait);
    expect(aws.sagemaker.mock).toHaveReceivedCommandTimes(DeleteEndpointCommand, 3);
    expect(cfn.answers[0].Status).toBe('SUCCESS');
  });

  // Found by the timeline fuzzer: a stack rollback's Delete met a four-minute throttling spell and answered FAILED after
  // 31 s of back-off, leaving the stack ROLLBACK_FAILED. One budget (DELETE_RETRY_BUDGET_MS) now covers all its calls.
  test('a Delete rides out a throttling spell of minutes, every call retried within one budget', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    let rejected = 0;
    aws.sagemaker.mock.on(DeleteEndpointCommand).callsFake(() => {
      if (rejected++ < 10) throw throttled;
      return {};
    });
    const slept: number[] = [];
    await handleDeploy(cfnEvent('Delete', spec()), T0, { sleep: async (ms: number) => { slept.push(ms); } });
    expect(cfn.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS' })]);
    const waited = slept.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThan(120_000);
    expect(waited).toBeLessThanOrEqual(DELETE_RETRY_BUDGET_MS);
  });

  test('a Delete throttled past its budget answers FAILED, naming the throttling, within the budget', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    aws.sagemaker.mock.on(DeleteEndpointCommand).rejects(throttled);
    const slept: number[] = [];
    await handleDeploy(cfnEvent('Delete', spec()), T0, { sleep: async (ms: number) => { slept.push(ms); } });
    expect(cfn.answers).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringContaining('Rate exceeded') })]);
    expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(DELETE_RETRY_BUDGET_MS);
  });

  test('retainOnDelete keeps the endpoint and its resources', async () => {
    await handleDeploy(cfnEvent('Delete', spec({ retainOnDelete: true })), T0, noWait);
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(DeleteEndpointCommand);
    expect(aws.sagemaker.endpoint).toBeDefined();
    expect(aws.table.state(ENDPOINT)).toMatchObject({ phase: 'idle', stable: { versionId: STABLE_ID } });
    expect(aws.table.state(ENDPOINT)).not.toHaveProperty('lock');
    expect(aws.table.decisions(ENDPOINT)).toEqual(['promoted', 'retained']);
    expect(cfn.answers[0].Status).toBe('SUCCESS');
  });

  test('an endpoint this controller does not manage (e.g. a failed create) is left alone', async () => {
    await handleDeploy(cfnEvent('Delete', spec(), { PhysicalResourceId: 'create-failed-req-Create' }), T0, noWait);
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(DeleteEndpointCommand);
    expect(cfn.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'create-failed-req-Create' })]);
  });
});

describe('redelivery', () => {
  test('a request Lambda delivers twice starts one rollout and answers the same both times', async () => {
    putState(aws.table, stableOnly());
    const event = cfnEvent('Update', spec());
    await handleDeploy(event, T0, noWait);
    await handleDeploy(event, T0 + 30_000, noWait);
    expect(aws.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(cfn.answers.map((a) => a.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(cfn.answers[1].Data).toEqual(cfn.answers[0].Data);
  });

  // Found by the timeline fuzzer (scenarios/failed-deploy-delivered-again.json): an Update answered FAILED (throttled)
  // was delivered again by Lambda after CloudFormation had rolled the stack back, and started a rollout of the version
  // the stack no longer declared.
  test('a request whose first delivery answered FAILED is answered FAILED again and starts nothing', async () => {
    putState(aws.table, stableOnly());
    const event = cfnEvent('Update', spec());
    aws.ecr.on(DescribeImagesCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'AccessDeniedException' }));
    await handleDeploy(event, T0, noWait);
    aws.ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: IMAGE_DIGEST }] });
    await handleDeploy(event, T0 + 300_000, noWait);
    expect(aws.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(cfn.answers.map((a) => a.Status)).toEqual(['FAILED', 'FAILED']);
    expect(cfn.answers[1].Reason).toEqual(cfn.answers[0].Reason);
  });
});

describe('ownership (invariant 12)', () => {
  const OTHER_STACK = 'arn:aws:cloudformation:us-east-1:111122223333:stack/other-app/2';
  const ownerTags = (owner: { stackId: string; logicalResourceId: string }) =>
    ({ 'cdk-sagemaker-rollout:stack-id': owner.stackId, 'cdk-sagemaker-rollout:logical-id': owner.logicalResourceId });
  const serving = (tags: Record<string, string> = ownerTags(OWNER)) =>
    aws.sagemaker.serve(ENDPOINT, STABLE_CONFIG, [variant('blue', STABLE_ID, 1)], { blue: 100 }, tags);
  const stable = spec({ version: STABLE_VERSION });

  test('a renamed construct: the new resource\'s Create takes the endpoint over, the old one\'s Delete deletes nothing', async () => {
    putState(aws.table, stableOnly());
    serving();
    const renamed = { LogicalResourceId: 'ScorerEndpoint', RequestId: 'req-rename-create' };
    const created = await handleDeploy(cfnEvent('Create', stable, renamed), T0, noWait);
    expect(created).toMatchObject({ status: 'SUCCESS', physicalResourceId: ENDPOINT });
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, 'STATE')).toMatchObject({
      owner: { stackId: OWNER.stackId, logicalResourceId: 'ScorerEndpoint', since: T0, handover: { from: OWNER } },
    });
    expect(aws.sagemaker.tags()).toEqual(ownerTags({ ...OWNER, logicalResourceId: 'ScorerEndpoint' }));

    const deleted = await handleDeploy(cfnEvent('Delete', stable, { RequestId: 'req-old-delete' }), T0 + 60_000, noWait);
    expect(deleted).toMatchObject({ status: 'SUCCESS', reason: expect.stringMatching(/not deleted: .*resource FraudEndpoint .* no longer owns it/) });
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(DeleteEndpointCommand);
    expect(aws.sagemaker.weights()).toEqual({ blue: { current: 100, desired: 100 } });
    expect(aws.table.decisions(ENDPOINT)).toEqual(['ownership-take-over', 'deploy-noop', 'ownership-release-handover']);
    expect((aws.table.get(`ENDPOINT#${ENDPOINT}`, 'STATE') as { owner: { handover?: unknown } }).owner.handover).toBeUndefined();

    // Later, deleting the renamed resource deletes the endpoint: it is the owner and the handover is complete.
    await handleDeploy(cfnEvent('Delete', stable, { LogicalResourceId: 'ScorerEndpoint', RequestId: 'req-new-delete' }), T0 + 120_000, noWait);
    expect(aws.sagemaker.mock).toHaveReceivedCommandWith(DeleteEndpointCommand, { EndpointName: ENDPOINT });
  });

  test('a rename the stack rolls back: the new resource\'s Delete hands the endpoint back and deletes nothing', async () => {
    putState(aws.table, stableOnly());
    serving();
    await handleDeploy(cfnEvent('Create', stable, { LogicalResourceId: 'ScorerEndpoint', RequestId: 'req-rename-create' }), T0, noWait);
    const undone = await handleDeploy(cfnEvent('Delete', stable, { LogicalResourceId: 'ScorerEndpoint', RequestId: 'req-rollback-delete' }), T0 + 60_000, noWait);
    expect(undone).toMatchObject({ status: 'SUCCESS', reason: expect.stringContaining('rolled the rename back') });
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(DeleteEndpointCommand);
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, 'STATE')).toMatchObject({ owner: { ...OWNER, since: T0 + 60_000 } });
    expect(aws.sagemaker.tags()).toEqual(ownerTags(OWNER));
  });

  test('another stack\'s endpoint: Create is FAILED naming the owner, with a physical id that names no endpoint', async () => {
    serving(ownerTags({ stackId: OTHER_STACK, logicalResourceId: 'Scorer' }));
    const result = await handleDeploy(cfnEvent('Create', stable), T0, noWait);
    expect(result).toMatchObject({
      status: 'FAILED',
      physicalResourceId: 'create-failed-req-Create',
      reason: expect.stringContaining(`endpoint ${ENDPOINT}: endpoint already belongs to resource Scorer of stack other-app (${OTHER_STACK})`),
    });
    expect(result.reason).toContain('Give this BlueGreenEndpoint another endpointName');
    expect(aws.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(aws.sagemaker.tags()).toEqual(ownerTags({ stackId: OTHER_STACK, logicalResourceId: 'Scorer' }));
    // A redelivered request is answered the same.
    expect(await handleDeploy(cfnEvent('Create', stable), T0 + 1000, noWait)).toMatchObject({ status: 'FAILED', physicalResourceId: 'create-failed-req-Create' });
  });

  test('an existing endpoint no controller created is refused, not adopted', async () => {
    serving({});
    const result = await handleDeploy(cfnEvent('Create', stable), T0, noWait);
    expect(result).toMatchObject({ status: 'FAILED', reason: expect.stringContaining('exists but no rollout controller created it') });
    expect(aws.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  test('an endpoint recorded before owners were: an Update claims it and tags it', async () => {
    putState(aws.table, stableOnly({ owner: undefined }));
    serving({});
    await handleDeploy(cfnEvent('Update', stable), T0, noWait);
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, 'STATE')).toMatchObject({ owner: { ...OWNER, since: T0 } });
    expect(aws.sagemaker.tags()).toEqual(ownerTags(OWNER));
    expect(aws.table.decisions(ENDPOINT)).toEqual(['ownership-claim', 'deploy-noop']);
  });
});

describe('following a Model Registry group: the stack declares the group and the policy, the registry the package', () => {
  const GROUP = 'fraud-models';
  const PACKAGE = (n: number) => `arn:aws:sagemaker:us-east-1:111122223333:model-package/${GROUP}/${n}`;
  const packaged = (n: number, overrides: Partial<EndpointSpec['version']> = {}) => ({ ...STABLE_VERSION, image: undefined, modelDataUrl: undefined, modelPackageArn: PACKAGE(n), ...overrides });
  const declared = (overrides: Partial<EndpointSpec['version']> = {}) => spec({ version: packaged(1, overrides), registry: { modelPackageGroupName: GROUP } });
  const stableOn = (n: number, extra = {}) => {
    const id = versionIdOf(packaged(n));
    putRecord(aws.table, `VERSION#${id}`, { endpointName: ENDPOINT, versionId: id, spec: packaged(n), registeredAt: T0 - 9, registeredBy: 'model-registry' });
    putState(aws.table, stableOnly({ spec: declared(), stable: { slot: 'blue', versionId: id, configName: STABLE_CONFIG, since: T0 - 9, modelPackageArn: PACKAGE(n) }, ...extra }));
    return id;
  };

  test('a deploy still naming package 1 keeps package 4, which the registry promoted: no-op, and the endpoint is indexed under its group', async () => {
    const id = stableOn(4);
    await handleDeploy(cfnEvent('Update', declared()), T0, noWait);
    expect(aws.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(cfn.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS', Data: expect.objectContaining({ VersionId: id }) })]);
    expect(aws.table.get(`REGISTRY#${GROUP}`, `ENDPOINT#${ENDPOINT}`)).toMatchObject({ endpointName: ENDPOINT });
  });

  test('a policy change in the version (instance type) rolls the registry\'s package out again with it', async () => {
    stableOn(4);
    await handleDeploy(cfnEvent('Update', declared({ instanceType: 'ml.c5.xlarge' })), T0, noWait);
    expect(started().spec.version).toMatchObject({ modelPackageArn: PACKAGE(4), instanceType: 'ml.c5.xlarge' });
  });

  test('during a registry rollout of package 5, a deploy keeps package 5 (it is no stack rollback that aborts it)', async () => {
    stableOn(4);
    const candidate = versionIdOf(packaged(5));
    putRecord(aws.table, `VERSION#${candidate}`, { endpointName: ENDPOINT, versionId: candidate, spec: packaged(5), registeredAt: T0 - 5, registeredBy: 'model-registry' });
    const state = aws.table.state(ENDPOINT)!;
    putState(aws.table, { ...state, phase: 'rolling-out', candidate: { slot: 'green', versionId: candidate, rolloutId: 'r5' }, lock: { rolloutId: 'r5', executionArn: EXECUTION_ARN, since: T0 - 5 } } as any);
    aws.sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', input: JSON.stringify({ rolloutId: 'r5' }) });
    await handleDeploy(cfnEvent('Update', declared()), T0, noWait);
    expect(aws.sfn).not.toHaveReceivedCommand(StopExecutionCommand);
    expect(aws.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(aws.table.decisions(ENDPOINT)).not.toContain('abort');
  });
});
