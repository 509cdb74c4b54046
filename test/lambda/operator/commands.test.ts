import '../handlers/support/env';
import { recordApproval, interveneByOperator } from '../../../lambda/operator/commands';
import { mockAws } from '../handlers/support/aws-mocks';
import { ENDPOINT, T0, putState, rollingOut, stableOnly } from '../handlers/support/fixtures';

const aws = mockAws();

beforeEach(() => aws.reset());

describe('operator commands', () => {
  test('approve records the decision for the rollout in progress, with who decided', async () => {
    putState(aws.table, rollingOut());
    const { rolloutId } = await recordApproval({ endpointName: ENDPOINT, decision: 'approve', by: 'arn:aws:iam::111122223333:user/alice', now: T0 });
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `APPROVAL#${rolloutId}`)).toMatchObject({ decision: 'approve', by: 'arn:aws:iam::111122223333:user/alice', at: T0 });
  });

  test('fails on a second decision for the same rollout, naming the first one', async () => {
    putState(aws.table, rollingOut());
    await recordApproval({ endpointName: ENDPOINT, decision: 'approve', by: 'alice', now: T0 });
    await expect(recordApproval({ endpointName: ENDPOINT, decision: 'reject', by: 'bob', now: T0 + 1000 }))
      .rejects.toThrow(/already has a decision: approve by alice/);
  });

  test('fails to approve when no rollout is in progress, and says how to decide ahead', async () => {
    putState(aws.table, stableOnly());
    await expect(recordApproval({ endpointName: ENDPOINT, decision: 'approve', by: 'alice', now: T0 }))
      .rejects.toThrow(/has no rollout in progress: nothing to approve \(pass --rollout/);
  });

  test('fails a manual rollback when nothing is rolling out, with the reason', async () => {
    putState(aws.table, stableOnly());
    await expect(interveneByOperator({ endpointName: ENDPOINT, request: 'rollback', by: 'carol', reason: 'bad answers', now: T0 }))
      .rejects.toThrow(/cannot rollback: no rollout in progress on endpoint/);
  });
});
