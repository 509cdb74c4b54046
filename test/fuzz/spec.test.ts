import '../lambda/handlers/support/env';
import { DescribeExecutionCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import fc from 'fast-check';
import { handleDeploy } from '../../lambda/handlers/deploy';
import { mockAws } from '../lambda/handlers/support/aws-mocks';
import { CfnServer, cfnEvent } from '../lambda/handlers/support/cfn-server';
import { ENDPOINT, T0, putRecord, putState, spec, stableOnly, version } from '../lambda/handlers/support/fixtures';
import { jsonMutation } from '../../fuzz/json-mutations';

/**
 * The custom resource's Spec as the deploy handler receives it, hand-edited or truncated (a template changed by hand,
 * a copy cut short): every answer is SUCCESS for a spec that still describes an endpoint, or FAILED with a reason that
 * names the field; a refused one changes nothing on the endpoint and loses nothing from the history.
 */
const aws = mockAws();
const cfn = new CfnServer();
const noWait = { sleep: async () => undefined };
const RUNS = Number(process.env.FUZZ_SPEC_RUNS ?? 150);
/** What an internal crash reads like (a field the handler assumed present): never a reason CloudFormation shows. */
const CRASH = /Cannot read propert|is not a function|is not iterable|undefined \(reading|Cannot convert|Maximum call stack|Invalid array length/;

beforeAll(() => cfn.start());
afterAll(() => cfn.stop());

function update(specText: string): CloudFormationCustomResourceEvent {
  return cfnEvent('Update', specText, cfn.url, ENDPOINT, {
    RequestId: 'req-fuzz',
    OldResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:deploy', Spec: JSON.stringify(spec()) },
  });
}

test(`${RUNS} hand-edited or truncated Specs: SUCCESS, or FAILED naming the field with nothing changed and nothing lost`, async () => {
  const valid = JSON.stringify(spec({ version: version({ image: `111122223333.dkr.ecr.us-east-1.amazonaws.com/fraud@sha256:${'cd'.repeat(32)}` }) }));
  await fc.assert(fc.asyncProperty(jsonMutation(valid), async (mutated) => {
    aws.reset();
    cfn.answers.length = 0;
    aws.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:rollout:started' });
    aws.sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' });
    putState(aws.table, stableOnly());
    putRecord(aws.table, `HISTORY#${T0 - 1000}#0001`, { at: T0 - 1000, endpointName: ENDPOINT, decision: 'promoted', reason: 'earlier', actor: 'controller' });
    const stateBefore = JSON.stringify(aws.table.state(ENDPOINT));
    const historyBefore = aws.table.history(ENDPOINT).map((h) => JSON.stringify(h));

    const result = await handleDeploy(update(mutated.text), T0, noWait);

    // Answered now, or owed by the rollout execution it started (a create answers after its first smoke test).
    expect(cfn.answers).toHaveLength(result.respondNow ? 1 : 0);
    if (!result.respondNow) expect(aws.sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    const history = aws.table.history(ENDPOINT).map((h) => JSON.stringify(h));
    expect(history.slice(0, historyBefore.length)).toEqual(historyBefore);
    if (result.status === 'FAILED') {
      expect(result.reason).not.toMatch(CRASH);
      expect(result.reason).toMatch(/Spec|spec|version|image|model|plan|guard|step|endpoint/);
      expect(JSON.stringify(aws.table.state(ENDPOINT))).toBe(stateBefore);
      expect(aws.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
      expect(aws.sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
    }
  }), { seed: 15, numRuns: RUNS });
}, 300_000);
