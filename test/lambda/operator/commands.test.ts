import '../handlers/support/env';
import { recordApproval, interveneByOperator, promoteByOperator } from '../../../lambda/operator/commands';
import { mockAws } from '../handlers/support/aws-mocks';
import { CANDIDATE_ID, ENDPOINT, T0, context, putRecord, putState, rollingOut, stableOnly } from '../handlers/support/fixtures';

const aws = mockAws();

beforeEach(() => aws.reset());

describe('operator commands', () => {
  const ROLLOUT = context().rolloutId;
  const atGate = () => {
    putState(aws.table, rollingOut());
    putRecord(aws.table, `ROLLOUT#${ROLLOUT}`, { endpointName: ENDPOINT, rolloutId: ROLLOUT, versionId: CANDIDATE_ID, gateOpenedAt: T0 - 30_000 });
  };

  test('approve records the decision for the rollout it names, at its open gate, with who decided and the version', async () => {
    atGate();
    const done = await recordApproval({ endpointName: ENDPOINT, decision: 'approve', by: 'arn:aws:iam::111122223333:user/alice', rolloutId: ROLLOUT, now: T0 });
    expect(done).toMatchObject({ rolloutId: ROLLOUT, versionId: CANDIDATE_ID, gate: expect.stringContaining(`rollout ${ROLLOUT} (version ${CANDIDATE_ID}) at its approval gate`) });
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `APPROVAL#${ROLLOUT}`)).toMatchObject({
      decision: 'approve', by: 'arn:aws:iam::111122223333:user/alice', at: T0, rolloutId: ROLLOUT, versionId: CANDIDATE_ID,
    });
  });

  test('fails on a second decision for the same rollout, naming the first one', async () => {
    atGate();
    await recordApproval({ endpointName: ENDPOINT, decision: 'approve', by: 'alice', rolloutId: ROLLOUT, now: T0 });
    await expect(recordApproval({ endpointName: ENDPOINT, decision: 'reject', by: 'bob', rolloutId: ROLLOUT, now: T0 + 1000 }))
      .rejects.toThrow(/already has a decision: approve by alice/);
  });

  test('refuses an approval for a superseded rollout and writes nothing: it must not land on the rollout in progress', async () => {
    atGate();
    putRecord(aws.table, 'ROLLOUT#r000000002-superseded', { endpointName: ENDPOINT, rolloutId: 'r000000002-superseded', outcome: 'aborted', gateOpenedAt: T0 - 600_000 });
    await expect(recordApproval({ endpointName: ENDPOINT, decision: 'approve', by: 'alice', rolloutId: 'r000000002-superseded', now: T0 }))
      .rejects.toThrow(new RegExp(`already ended aborted; the rollout in progress is ${ROLLOUT}`));
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, 'APPROVAL#r000000002-superseded')).toBeUndefined();
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `APPROVAL#${ROLLOUT}`)).toBeUndefined();
  });

  test('refuses to decide ahead: the rollout in progress has not reached its gate', async () => {
    putState(aws.table, rollingOut());
    putRecord(aws.table, `ROLLOUT#${ROLLOUT}`, { endpointName: ENDPOINT, rolloutId: ROLLOUT, versionId: CANDIDATE_ID });
    await expect(recordApproval({ endpointName: ENDPOINT, decision: 'approve', by: 'alice', rolloutId: ROLLOUT, now: T0 }))
      .rejects.toThrow(/has not reached its approval gate/);
    putState(aws.table, stableOnly());
    await expect(recordApproval({ endpointName: ENDPOINT, decision: 'approve', by: 'alice', rolloutId: ROLLOUT, now: T0 }))
      .rejects.toThrow(/does not hold the endpoint; no rollout is in progress/);
  });

  test('fails a manual rollback when nothing is rolling out, with the reason', async () => {
    putState(aws.table, stableOnly());
    await expect(interveneByOperator({ endpointName: ENDPOINT, request: 'rollback', by: 'carol', reason: 'bad answers', now: T0 }))
      .rejects.toThrow(/cannot rollback: no rollout in progress on endpoint/);
  });

  test('promote records who and why in the history, then the request for the step in progress; refused when idle, writing nothing', async () => {
    putState(aws.table, rollingOut());
    putRecord(aws.table, `ROLLOUT#${ROLLOUT}`, { endpointName: ENDPOINT, rolloutId: ROLLOUT, versionId: CANDIDATE_ID });
    putRecord(aws.table, 'HISTORY#0001768467000000#0000', { endpointName: ENDPOINT, rolloutId: ROLLOUT, at: T0 - 60_000, decision: 'traffic-shifted', evidence: { stepIndex: 1 } });
    const done = await promoteByOperator({ endpointName: ENDPOINT, mode: 'step', by: 'dave', reason: 'hotfix', now: T0 });
    expect(done).toEqual({ rolloutId: ROLLOUT, stepIndex: 1, reason: `rollout ${ROLLOUT} (version ${CANDIDATE_ID}): the rest of the bake of step 1 skipped` });
    expect(aws.table.get(`ENDPOINT#${ENDPOINT}`, `PROMOTE#${ROLLOUT}`)).toMatchObject({ mode: 'step', by: 'dave', at: T0, reason: 'hotfix', rolloutId: ROLLOUT, stepIndex: 1 });
    const history = aws.table.query(`ENDPOINT#${ENDPOINT}`, 'HISTORY#');
    expect(history.at(-1)).toMatchObject({ decision: 'promote-requested', actor: 'dave', rolloutId: ROLLOUT, reason: expect.stringMatching(/^dave asked to promote: .*: hotfix$/) });

    putState(aws.table, stableOnly());
    await expect(promoteByOperator({ endpointName: ENDPOINT, mode: 'full', by: 'dave', reason: 'again', now: T0 + 1000 }))
      .rejects.toThrow(`cannot promote --full: no rollout in progress on endpoint ${ENDPOINT}: endpoint ${ENDPOINT} is idle; allowed now: undo, retry, status, history`);
    expect(aws.table.query(`ENDPOINT#${ENDPOINT}`, 'HISTORY#')).toHaveLength(history.length);
  });
});
