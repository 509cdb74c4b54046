import './support/env';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { RolloutContext, versionIdOf } from '../../../lambda/core';
import { historySortKey } from '../../../lambda/aws/history';
import { handler } from '../../../lambda/handlers/guard-listener';
import { ModelPackageStateChange, onModelPackageStateChange } from '../../../lambda/handlers/operations/registry-approval';
import { once } from '../../../lambda/aws/retry';
import { mockAws } from './support/aws-mocks';
import { ENDPOINT, STABLE_VERSION, T0, putRecord, putState, spec, stableOnly } from './support/fixtures';

const aws = mockAws();
const GROUP = 'fraud-models';
const PACKAGE = (n: number) => `arn:aws:sagemaker:us-east-1:111122223333:model-package/${GROUP}/${n}`;
const declared = spec({ version: { ...STABLE_VERSION, image: undefined, modelDataUrl: undefined, modelPackageArn: PACKAGE(1) }, registry: { modelPackageGroupName: GROUP } });

function approved(n: number, status = 'Approved'): ModelPackageStateChange {
  return {
    source: 'aws.sagemaker', 'detail-type': 'SageMaker Model Package State Change',
    detail: { ModelPackageArn: PACKAGE(n), ModelPackageGroupName: GROUP, ModelApprovalStatus: status },
  };
}

beforeEach(() => {
  aws.reset();
  putState(aws.table, stableOnly({ spec: declared, stable: { slot: 'blue', versionId: versionIdOf(declared.version), configName: 'c', since: T0 - 1, modelPackageArn: PACKAGE(1) } }));
  aws.table.put({ pk: `REGISTRY#${GROUP}`, sk: `ENDPOINT#${ENDPOINT}`, endpointName: ENDPOINT });
  aws.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:registry' });
  aws.sfn.on(DescribeExecutionCommand).rejects(Object.assign(new Error('no such execution'), { name: 'ExecutionDoesNotExist' }));
});

test('an approval starts a rollout of the package with the declared spec around it, recorded with who and why', async () => {
  await handler(approved(2));
  const input = JSON.parse(aws.sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!) as RolloutContext;
  expect(input.spec).toEqual({ ...declared, version: { ...declared.version, modelPackageArn: PACKAGE(2) } });
  expect(input).toMatchObject({ kind: 'rollout', trigger: { by: 'model-registry' }, versionId: versionIdOf({ ...declared.version, modelPackageArn: PACKAGE(2) }) });
  const entry = aws.table.history(ENDPOINT).find((h) => h.decision === 'registry-approved')!;
  expect(entry).toMatchObject({ actor: 'model-registry', rolloutId: input.rolloutId, evidence: { modelPackageArn: PACKAGE(2) } });
});

test('a repeated event for the same approval starts nothing while its rollout runs; other statuses start nothing', async () => {
  await handler(approved(2));
  const rolloutId = aws.table.history(ENDPOINT).find((h) => h.decision === 'registry-approved')!.rolloutId;
  putRecord(aws.table, `ROLLOUT#${rolloutId}`, { endpointName: ENDPOINT, rolloutId, startedAt: T0 });
  await handler(approved(2));
  await handler(approved(3, 'PendingManualApproval'));
  expect(aws.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  expect(aws.table.history(ENDPOINT).filter((h) => h.decision === 'registry-ignored').map((h) => h.reason)).toEqual([
    expect.stringContaining(`is already being rolled out by rollout ${rolloutId}`),
    expect.stringContaining('is PendingManualApproval: only Approved starts a rollout'),
  ]);
});

describe('an approval whose delivery fails part way (Lambda delivers the event again a minute later, at a new time)', () => {
  const throttled = () => Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ProvisionedThroughputExceededException' });
  const startNames = () => aws.sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);

  test('the approval\'s record refused: one rollout of the package, recorded once, not two', async () => {
    aws.table.failNextWrite(historySortKey(T0, 0), throttled());
    await expect(onModelPackageStateChange(approved(2), T0, once)).rejects.toThrow('Rate of requests');
    await onModelPackageStateChange(approved(2), T0 + 60_000, once);
    const recorded = aws.table.history(ENDPOINT).filter((h) => h.decision === 'registry-approved');
    expect(recorded).toHaveLength(1);
    expect(new Set(startNames()).size).toBe(1);
    expect(startNames()[0]).toContain(recorded[0].rolloutId);
  });

  test('the start\'s answer lost: the next delivery starts the same execution again (same name and input), which Step Functions finds, not doubles', async () => {
    aws.sfn.on(StartExecutionCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }))
      .resolves({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:registry' });
    await expect(onModelPackageStateChange(approved(2), T0, once)).rejects.toThrow('socket hang up');
    await onModelPackageStateChange(approved(2), T0 + 60_000, once);
    const starts = aws.sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(starts).toHaveLength(2);
    expect(starts[1]).toEqual(starts[0]);
    expect(aws.table.history(ENDPOINT).filter((h) => h.decision === 'registry-approved')).toHaveLength(1);
  });
});

describe('what an earlier approval left', () => {
  const entry = (at: number, decision: string, rolloutId: string, arn: string) =>
    putRecord(aws.table, historySortKey(at, 0), { at, endpointName: ENDPOINT, rolloutId, decision, reason: 'earlier', actor: 'model-registry', evidence: { modelPackageArn: arn } });
  const startedRollout = () => (JSON.parse(aws.sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!) as RolloutContext).rolloutId;

  test('a package approved again after its earlier rollout ended (stopped before promotion) is rolled out again, as a new rollout', async () => {
    entry(T0 - 9000, 'registry-approved', 'r-old', PACKAGE(2));
    putRecord(aws.table, 'ROLLOUT#r-old', { endpointName: ENDPOINT, rolloutId: 'r-old', startedAt: T0 - 9000, endedAt: T0 - 5000, outcome: 'aborted' });
    await onModelPackageStateChange(approved(2), T0, once);
    expect(startedRollout()).not.toBe('r-old');
    expect(aws.table.decisions(ENDPOINT).filter((d) => d === 'registry-approved')).toHaveLength(2);
  });

  test('a recorded approval of another package, or another entry naming this one, is not taken up', async () => {
    entry(T0 - 9000, 'registry-approved', 'r-three', PACKAGE(3));
    entry(T0 - 8000, 'rollout-started', 'r-other', PACKAGE(2));
    await onModelPackageStateChange(approved(2), T0, once);
    expect(startedRollout()).not.toMatch(/^r-/);
    expect(aws.table.history(ENDPOINT).filter((h) => h.decision === 'registry-approved').map((h) => h.at)).toEqual([T0 - 9000, T0]);
  });

  test('a package rolled back at the current attempt is not started again by its approval', async () => {
    const version = { ...declared.version, modelPackageArn: PACKAGE(2) };
    putRecord(aws.table, `VERSION#${versionIdOf(version)}`, { endpointName: ENDPOINT, versionId: versionIdOf(version), spec: version, registeredAt: T0 - 9000, rolledBackAttempt: 0, rolledBackAt: T0 - 5000 });
    await onModelPackageStateChange(approved(2), T0, once);
    expect(aws.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({
      decision: 'registry-ignored', actor: 'model-registry', reason: expect.stringContaining('was rolled back at attempt 0'),
      evidence: { modelPackageArn: PACKAGE(2), status: 'Approved' },
    })]);
  });

  test('a recorded approval whose execution ended before it recorded its rollout (AcquireLock never ran) is not taken up: a new rollout', async () => {
    entry(T0 - 9000, 'registry-approved', 'r-dead', PACKAGE(2));
    aws.sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED' });
    await onModelPackageStateChange(approved(2), T0, once);
    expect(startedRollout()).not.toBe('r-dead');
    expect(aws.table.decisions(ENDPOINT).filter((d) => d === 'registry-approved')).toHaveLength(2);
  });

  test('two packages approved in the same millisecond are two rollouts, each under its own name', async () => {
    await onModelPackageStateChange(approved(2), T0, once);
    await onModelPackageStateChange(approved(3), T0, once);
    const names = aws.sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
    expect(new Set(names).size).toBe(2);
  });

  test('an endpoint that follows the group but has no state yet is left alone: nothing started, nothing recorded', async () => {
    aws.table.put({ pk: `REGISTRY#${GROUP}`, sk: 'ENDPOINT#churn-scorer', endpointName: 'churn-scorer' });
    const results = await onModelPackageStateChange(approved(2), T0, once);
    expect(results).toContainEqual({ endpointName: 'churn-scorer', action: 'ignore', reason: expect.stringContaining('not created yet') });
    expect(aws.table.history('churn-scorer')).toEqual([]);
  });
});

test('a group no endpoint follows reaches no endpoint', async () => {
  await handler({ ...approved(2), detail: { ...approved(2).detail, ModelPackageGroupName: 'churn' } });
  expect(aws.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
});

// Found by mutation testing (docs/mutation.md, session 6): the rollout was started, then recorded only when new, and its
// id came from the delivery's clock, so a delivery that failed between the two was delivered again (Lambda retries an
// asynchronous event) under a new id, which started a second rollout of the same package.
test('a delivery that started the rollout but failed before recording it: the same event again records it, starting no second rollout', async () => {
  const event = { ...approved(2), id: '7b0c2c9e-5d1a-4c8e-9f3a-2f9c1d7e8a41', time: '2026-01-15T09:00:00Z' };
  const names: string[] = [];
  aws.sfn.on(StartExecutionCommand).callsFake((input) => {
    if (names.includes(input.name)) throw Object.assign(new Error(`Execution Already Exists: '${input.name}'`), { name: 'ExecutionAlreadyExists' });
    names.push(input.name);
    return { executionArn: `arn:aws:states:us-east-1:111122223333:execution:rollout:${input.name}` };
  });
  const clock = jest.spyOn(Date, 'now').mockReturnValue(T0 + 1_000);
  aws.table.failNextWrite(historySortKey(T0 + 1_000, 0), new Error('the function timed out'));
  await expect(handler(event)).rejects.toThrow('the function timed out');
  expect(aws.table.history(ENDPOINT).some((h) => h.decision === 'registry-approved')).toBe(false);
  // Lambda delivers the same event again a minute later.
  clock.mockReturnValue(T0 + 61_000);
  await handler(event);
  expect(names).toHaveLength(1);
  const started = JSON.parse(aws.sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!) as RolloutContext;
  expect(aws.table.history(ENDPOINT).filter((h) => h.decision === 'registry-approved')).toEqual([
    expect.objectContaining({ rolloutId: started.rolloutId, evidence: expect.objectContaining({ modelPackageArn: PACKAGE(2) }) }),
  ]);
  // A third delivery finds the record (and the running rollout) and starts nothing.
  putRecord(aws.table, `ROLLOUT#${started.rolloutId}`, { endpointName: ENDPOINT, rolloutId: started.rolloutId, startedAt: T0 });
  await handler(event);
  expect(names).toHaveLength(1);
  clock.mockRestore();
});
