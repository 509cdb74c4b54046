import './support/env';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand } from '@aws-sdk/client-sns';
import { UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { release } from '../../../lambda/handlers/actions/release';
import { mockAws } from './support/aws-mocks';
import { CfnServer } from './support/cfn-server';
import { CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, T0, context, putRecord, putState, rollingOut } from './support/fixtures';

const aws = mockAws();
const cfn = new CfnServer();
const env = { now: T0, executionArn: EXECUTION_ARN };
beforeAll(() => cfn.start());
afterAll(() => cfn.stop());
beforeEach(() => {
  aws.reset();
  cfn.answers.length = 0;
  putState(aws.table, rollingOut());
  putRecord(aws.table, `ROLLOUT#${context().rolloutId}`, { endpointName: ENDPOINT, rolloutId: context().rolloutId, startedAt: T0 - 1 });
});
const waitingDeploy = () => ({
  responseUrl: cfn.url,
  stackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/app/1',
  requestId: 'req-9',
  logicalResourceId: 'Endpoint',
  physicalResourceId: ENDPOINT,
});

test('releases its own lock, records the outcome, announces and notifies', async () => {
  const out = await release(context({ outcome: 'rolled-back', reason: 'guard breach', next: 'release' }), env);
  expect(out).toMatchObject({ outcome: 'rolled-back', reason: 'guard breach' });
  expect(out.next).toBeUndefined();
  const state = aws.table.state(ENDPOINT)!;
  expect(state.phase).toBe('idle');
  expect(state).not.toHaveProperty('lock');
  expect(state).not.toHaveProperty('candidate');
  expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `ROLLOUT#${context().rolloutId}`)).toMatchObject({ outcome: 'rolled-back', reason: 'guard breach', endedAt: T0 });
  expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({
    at: T0, rolloutId: context().rolloutId, decision: 'rollout-ended', actor: 'controller', reason: 'rolled-back: guard breach',
  })]);
  expect(aws.events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  const entry = aws.events.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0];
  expect(entry.DetailType).toBe('Rollout Ended');
  expect(JSON.parse(entry.Detail!)).toEqual({
    endpointName: ENDPOINT, rolloutId: context().rolloutId, kind: 'rollout', versionId: CANDIDATE_ID, outcome: 'rolled-back', reason: 'guard breach',
  });
  expect(aws.sns).toHaveReceivedCommandWith(PublishCommand, { Subject: `Rollout rolled-back: ${ENDPOINT}` });
});

test('holds its lock while the endpoint is still changing (invariant 3), then releases once it settled', async () => {
  aws.sagemaker.serve(ENDPOINT, 'cfg', [], {});
  aws.sagemaker.endpoint!.status = 'Updating';
  const waiting = await release(context({ outcome: 'rolled-back', reason: 'guard breach', cfnResponse: waitingDeploy() }), env);
  expect(waiting.next).toBe('release-wait');
  expect(aws.table.state(ENDPOINT)!.lock).toMatchObject({ rolloutId: context().rolloutId });
  expect(aws.table.decisions(ENDPOINT)).toEqual([]);
  expect(cfn.answers).toEqual([]);
  aws.sagemaker.endpoint!.status = 'InService';
  expect((await release(waiting, env)).next).toBeUndefined();
  expect(aws.table.state(ENDPOINT)).not.toHaveProperty('lock');
});

test('answers a waiting CloudFormation deploy: SUCCESS when promoted', async () => {
  await release(context({ outcome: 'promoted', reason: 'ok', cfnResponse: waitingDeploy() }), env);
  expect(cfn.answers).toEqual([
    expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: ENDPOINT, RequestId: 'req-9', Data: { EndpointName: ENDPOINT, VersionId: CANDIDATE_ID, RolloutId: context().rolloutId } }),
  ]);
});

test('answers FAILED naming outcome and reason otherwise', async () => {
  await release(context({ outcome: 'rolled-back', reason: 'candidate guard in ALARM', cfnResponse: waitingDeploy() }), env);
  expect(cfn.answers).toEqual([
    expect.objectContaining({ Status: 'FAILED', Reason: `rollout ${context().rolloutId} ended rolled-back: candidate guard in ALARM` }),
  ]);
});

test('a task that failed on the way keeps the decided outcome and adds the error; without one the rollout failed', async () => {
  const promotedThenFailed = await release(context({ outcome: 'promoted', reason: 'ok', error: { Error: 'States.Timeout' } }), env);
  expect(promotedThenFailed).toMatchObject({ outcome: 'promoted', reason: 'ok; then task failed with States.Timeout' });
  const failed = await release(context({ error: { Error: 'Lambda.Unknown', Cause: 'boom' } }), env);
  expect(failed).toMatchObject({ outcome: 'failed', reason: 'task failed with Lambda.Unknown: boom' });
});

test('a lost CloudFormation answer does not fail the release', async () => {
  const out = await release(context({ outcome: 'promoted', cfnResponse: { ...waitingDeploy(), responseUrl: 'http://127.0.0.1:1/closed' } }), env);
  expect(out.outcome).toBe('promoted');
  expect(aws.table.state(ENDPOINT)).not.toHaveProperty('lock');
});

test('the rollout\'s instance-hours go into its end record: each fleet change this rollout recorded, held until the next, up to now', async () => {
  const h = 3_600_000;
  const at = (ms: number, decision: string, instances: number, rolloutId = context().rolloutId) =>
    putRecord(aws.table, `HISTORY#${String(ms).padStart(13, '0')}#0000`, { at: ms, endpointName: ENDPOINT, rolloutId, decision, reason: decision, actor: 'controller', evidence: { fleet: { instances } } });
  at(T0 - 2 * h, 'provisioning', 9);          // stable 4 + new fleet 4 + 1: 0.25 h
  at(T0 - 1.75 * h, 'provisioned', 5);        // 0.5 h
  at(T0 - 1.25 * h, 'capacity-scaling', 8);   // 0.75 h
  at(T0 - 0.5 * h, 'retiring', 12);           // 0.25 h
  at(T0 - 0.25 * h, 'retired', 4);            // 0.25 h
  at(T0 - 3 * h, 'provisioning', 100, 'another-rollout');
  await release(context({ outcome: 'promoted', reason: 'promoted', next: 'release' }), env);
  const ended = aws.table.history(ENDPOINT).find((e) => e.decision === 'rollout-ended')! as { evidence: { instanceHours: number; fleet: unknown[] } };
  expect(ended.evidence.instanceHours).toBeCloseTo(9 * 0.25 + 5 * 0.5 + 8 * 0.75 + 12 * 0.25 + 4 * 0.25, 3);
  expect(ended.evidence.fleet).toHaveLength(5);
});

test('a rollout that changed no fleet (refused before provisioning) reports no instance-hours', async () => {
  await release(context({ outcome: 'failed', reason: 'instance quota', next: 'release' }), env);
  expect(aws.table.history(ENDPOINT).find((e) => e.decision === 'rollout-ended')!.evidence).not.toHaveProperty('instanceHours');
});

describe('a rolled-back package of an endpoint following a Model Registry group', () => {
  const PACKAGE = 'arn:aws:sagemaker:us-east-1:111122223333:model-package/fraud-models/7';
  const registryContext = (overrides = {}) => {
    const base = context({ outcome: 'rolled-back', reason: 'guard error-rate in ALARM', next: 'release', ...overrides });
    return { ...base, spec: { ...base.spec, registry: { modelPackageGroupName: 'fraud-models' }, version: { ...base.spec.version, image: undefined, modelPackageArn: PACKAGE } } };
  };

  test('is set to Rejected with the rollback\'s evidence in ApprovalDescription, once per rollout', async () => {
    aws.sagemaker.mock.on(UpdateModelPackageCommand).resolves({ ModelPackageArn: PACKAGE });
    await release(registryContext(), env);
    expect(aws.sagemaker.mock).toHaveReceivedCommandWith(UpdateModelPackageCommand, {
      ModelPackageArn: PACKAGE, ModelApprovalStatus: 'Rejected',
      ApprovalDescription: `Rejected by cdk-sagemaker-rollout: rollout ${context().rolloutId} rolled back: guard error-rate in ALARM`,
    });
    expect(aws.table.decisions(ENDPOINT)).toEqual(['package-rejected', 'rollout-ended']);
    await release(registryContext(), env);
    expect(aws.sagemaker.mock).toHaveReceivedCommandTimes(UpdateModelPackageCommand, 1);
  });

  test('a refused UpdateModelPackage is recorded with the fix and never holds the release', async () => {
    aws.sagemaker.mock.on(UpdateModelPackageCommand).rejects(Object.assign(new Error('not authorized to perform: sagemaker:UpdateModelPackage'), { name: 'AccessDeniedException' }));
    const out = await release(registryContext(), env);
    expect(out).toMatchObject({ outcome: 'rolled-back' });
    expect(aws.table.decisions(ENDPOINT)).toEqual(['package-reject-failed', 'rollout-ended']);
    expect(aws.table.history(ENDPOINT)[0].reason).toContain('set it by hand');
  });

  test('nothing is rejected for another outcome, without a group, or for the stable\'s own package (a drill)', async () => {
    await release(registryContext({ outcome: 'inconclusive' }), env);
    const plain = context({ outcome: 'rolled-back', reason: 'r', next: 'release' });
    await release({ ...plain, spec: { ...plain.spec, version: { ...plain.spec.version, modelPackageArn: PACKAGE } } }, env);
    await release(registryContext({ versionId: rollingOut().stable!.versionId }), env);
    expect(aws.sagemaker.mock).not.toHaveReceivedCommand(UpdateModelPackageCommand);
  });
});
