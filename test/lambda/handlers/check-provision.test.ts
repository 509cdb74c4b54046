import './support/env';
import { checkProvision } from '../../../lambda/handlers/actions/check-provision';
import { mockAws } from './support/aws-mocks';
import { CANARY_CONFIG, CANDIDATE_ID, ENDPOINT, EXECUTION_ARN, STABLE_CONFIG, STABLE_ID, T0, context, putState, rollingOut, variant } from './support/fixtures';

const aws = mockAws();
beforeEach(() => {
  aws.reset();
  putState(aws.table, rollingOut());
  aws.sagemaker.serve(ENDPOINT, STABLE_CONFIG, [variant('blue', STABLE_ID, 1)], { blue: 1 });
  aws.sagemaker.configs.set(CANARY_CONFIG, [variant('blue', STABLE_ID, 1), variant('green', CANDIDATE_ID, 0)]);
  aws.sagemaker.endpoint!.status = 'Updating';
  aws.sagemaker.endpoint!.pendingConfig = CANARY_CONFIG;
});
const provisioning = context({ targetConfigName: CANARY_CONFIG, provisionStartedAt: T0 });

test('keeps polling while the endpoint updates, without recording each poll', async () => {
  const out = await checkProvision(provisioning, { now: T0 + 60_000, executionArn: EXECUTION_ARN });
  expect(out.next).toBe('provision-wait');
  expect(aws.table.decisions(ENDPOINT)).toEqual([]);
});

test('InService on the requested config: on to the smoke test', async () => {
  aws.sagemaker.settle();
  const out = await checkProvision(provisioning, { now: T0 + 300_000, executionArn: EXECUTION_ARN });
  expect(out.next).toBe('smoke-test');
  expect(aws.table.history(ENDPOINT)).toEqual([expect.objectContaining({
    decision: 'provisioned', evidence: expect.objectContaining({ status: 'InService', configName: CANARY_CONFIG, targetConfigName: CANARY_CONFIG }),
  })]);
});

test('a reverted update (InService on the old config) is detected by reading back and rolls back', async () => {
  aws.sagemaker.revertNextUpdate = 'Model container failed health check';
  aws.sagemaker.settle();
  const out = await checkProvision(provisioning, { now: T0 + 300_000, executionArn: EXECUTION_ARN });
  expect(out.next).toBe('rollback');
  expect(out.reason).toContain('SageMaker reverted the update');
  expect(out.reason).toContain(STABLE_CONFIG);
  expect(out.reason).toContain('Model container failed health check');
  expect(aws.table.history(ENDPOINT)).toEqual([
    expect.objectContaining({
      decision: 'provisioning-failed',
      reason: out.reason,
      evidence: expect.objectContaining({ status: 'InService', configName: STABLE_CONFIG, targetConfigName: CANARY_CONFIG }),
    }),
  ]);
});

test('past the provisioning timeout the rollout fails safe', async () => {
  const out = await checkProvision(provisioning, { now: T0 + 1_800_000, executionArn: EXECUTION_ARN });
  expect(out).toMatchObject({ next: 'rollback', reason: expect.stringContaining('timed out after 1800s') });
});

test('a failed create has no stable to return to: the rollout fails and releases', async () => {
  aws.sagemaker.endpoint!.status = 'Failed';
  const out = await checkProvision(context({ kind: 'create', targetConfigName: CANARY_CONFIG, provisionStartedAt: T0 }), { now: T0 + 1, executionArn: EXECUTION_ARN });
  expect(out).toMatchObject({ next: 'release', outcome: 'failed', reason: expect.stringContaining('status is Failed') });
});
