import './support/env';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { RolloutContext, versionIdOf } from '../../../lambda/core';
import { historySortKey } from '../../../lambda/aws/history';
import { handler } from '../../../lambda/handlers/guard-listener';
import { ModelPackageStateChange } from '../../../lambda/handlers/operations/registry-approval';
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
