import { EndpointFacts, approvalLine, humanSeconds, judgeLine, literal, strategyLine } from './endpoint-summary';
import { runbookStackLine, runbookTitle } from '../../lambda/core/runbook-file';

export { runbookFileName } from '../../lambda/core/runbook-file';

/**
 * The on-call runbook of one endpoint, in Markdown, from what the construct bound at synth: the strategy, guards and
 * thresholds, who approves, what the controller does on its own, and the exact commands. Deterministic (no time
 * stamp), so the asset changes only when the endpoint's props do.
 */
export function renderRunbook(facts: EndpointFacts, region?: string): string {
  const name = facts.endpointName;
  const plan = facts.plan;
  const cli = (args: string) => `npx cdk-sagemaker-rollout ${args.replace('<endpoint>', name)}`;
  const output = (key: string) => `$(aws cloudformation describe-stacks --stack-name ${facts.stackName}${region ? ` --region ${region}` : ''} `
    + `--query "Stacks[0].Outputs[?OutputKey=='${key}'].OutputValue" --output text)`;
  const guardLines = facts.guards.flatMap((g) => [
    `- **${g.name}**: ${g.judge ? judgeLine(g.judge) : 'judged by its alarms alone'}.`,
    ...g.alarms.map((a) => `  - alarm \`${a.alarmName}\` (${a.slot === 'both' ? 'whichever slot is the candidate' : `${a.slot} slot`})`
      + `${a.description ? `: ${a.description}` : ''}`),
  ]);
  const afterWindow = facts.autoUndo
    ? 'undoes the stable without a person (`autoUndo`): back to the standby while it is provisioned, else the previous stable version is '
      + 'provisioned beside it, smoke-tested and given 100% with its guards watched'
    : `is recorded (\`stable-alarm\`), announced (event \`Rollout Stable Guard Alarm\`) and notified with the exact command: \`${cli('undo --endpoint <endpoint> --reason "..."')}\``;
  return [
    runbookTitle(name),
    '',
    `${runbookStackLine(facts.stackName)}, construct \`${facts.constructPath}\`. Generated at synth by cdk-sagemaker-rollout from the endpoint's props `
      + '(`npx cdk synth` writes it again after a change; `npx cdk-sagemaker-rollout runbook --endpoint ' + name + '` prints it).',
    '',
    '## At a glance',
    '',
    '| | |',
    '|---|---|',
    `| Strategy | ${strategyLine(plan)}; at least ${plan.steps[0]?.minInvocations ?? 0} candidate invocation(s) per step |`,
    `| Smoke test | ${facts.smokeTestPayloads > 0 ? `${facts.smokeTestPayloads} request(s) to the candidate slot before it gets traffic` : 'none: a candidate that is InService passes'} |`,
    `| Approval | ${approvalLine(plan)} |`,
    `| Revert window | ${humanSeconds(plan.revertWindowSeconds)}: the previous stable stays provisioned at 0% after promotion |`,
    `| A deploy during a rollout | ${plan.concurrency === 'supersede' ? 'supersedes it (the running one is rolled back first)' : 'is refused (the stack update fails naming the running rollout)'} |`,
    `| The deploy waits for the rollout | ${facts.waitForRollout ? 'yes: it fails when the candidate is rolled back' : 'no: it completes once the rollout started (`status --wait-for promoted` waits in CI)'} |`,
    `| rolloutAttempt | ${facts.rolloutAttempt} (raise it to roll out again a version that was rolled back) |`,
    `| Notifications | ${facts.notificationTopicArn ? `SNS topic \`${literal(facts.notificationTopicArn, 'the notification topic ARN')}\`` : 'none (events on the default EventBridge bus only)'} |`,
    '',
    '## Guards and thresholds',
    '',
    'Each step, the judge reads per-minute counts of both slots (only minutes whose metrics have arrived): *worse* rolls back, '
      + '*not worse* advances once the minimum bake is covered, *not yet known* holds until the step deadline (then `inconclusive`: '
      + 'back on the stable, no verdict). The alarms are the instant path for hard failures.',
    '',
    ...guardLines,
    '',
    '## Who approves',
    '',
    `${approvalLine(plan)}.`,
    ...(plan.approval ? ['', `Decide with \`${cli('approve --endpoint <endpoint> --rollout <id>')}\` or \`reject\` (the rollout id is in the notification and in \`status\`); `
      + 'a decision applies only to the rollout it names. Who may: the roles given `endpoint.grantOperate(role)` or `controller.grantApprove(role)`.'] : []),
    '',
    '## What is automatic',
    '',
    '- A candidate guard alarm going to ALARM: the guard listener stops the rollout and returns 100% of traffic to the stable within seconds '
      + `(EventBridge); the rollout's own checks every ${humanSeconds(plan.checkIntervalSeconds)} are the backstop when the event is lost.`,
    '- The judge finding the candidate worse: rollback at that check, with the counts as evidence. Unknown is not healthy: missing or late '
      + 'data, unreadable alarms or too few invocations hold the step, and past its deadline the rollout ends `inconclusive`.',
    `- After promotion, within the ${humanSeconds(plan.revertWindowSeconds)} revert window: a stable guard alarm reverts to the standby (a weight flip).`,
    `- After the revert window, a stable guard alarm ${afterWindow}.`,
    '- A version rolled back is never rolled out again by a deploy until `rolloutAttempt` is raised, or `retry` is run.',
    '- Every decision is recorded with who or what made it, why, and the evidence (`history`).',
    '',
    '## Commands',
    '',
    '```sh',
    `export ROLLOUT_TABLE=${output('RolloutStateTable')}`,
    `export ROLLOUT_STATE_MACHINE=${output('RolloutStateMachine')}`,
    ...(region ? [`export AWS_REGION=${region}`] : []),
    `${cli('status   --endpoint <endpoint>')}                  # stable, candidate, standby, weights, lock, approval gate`,
    `${cli('watch    --endpoint <endpoint>')}                  # live: progress, bake and deadline left, the judge's evidence`,
    `${cli('history  --endpoint <endpoint> --limit 20')}       # every decision, why, and its evidence`,
    `${cli('rollback --endpoint <endpoint> --reason "..."')}   # now: 100% to the stable (after promotion: revert to the standby)`,
    `${cli('abort    --endpoint <endpoint> --reason "..."')}   # stop without a verdict on the candidate`,
    `${cli('undo     --endpoint <endpoint> --reason "..." [--to <version>]')}  # after promotion, at any time: back to a version stable before`,
    `${cli('retry    --endpoint <endpoint> --reason "..."')}   # roll out again the version the last rollout did not promote`,
    ...(plan.approval ? [
      `${cli('approve  --endpoint <endpoint> --rollout <id>')}`,
      `${cli('reject   --endpoint <endpoint> --rollout <id>')}`,
    ] : []),
    `${cli('status   --endpoint <endpoint> --wait-for promoted --timeout 3600')}  # CI: exit 0 promoted, 4 ended otherwise, 5 timed out`,
    `${cli('drill    --endpoint <endpoint>')}                  # exercise the rollback: stable redeployed, its alarm forced, timed`,
    '```',
    '',
    '## When',
    '',
    '- **A rollout looks wrong and nothing fired yet**: `rollback` (a verdict: the version is kept out) or `abort` (no verdict).',
    '- **A rollout waits at the approval gate**: check the evidence with `watch`, then `approve` or `reject` naming its rollout id.',
    '- **A rollout ended `inconclusive`** (not enough evidence by a step deadline): deploy again, or give small steps a longer `stepDeadline`.',
    '- **A candidate was rolled back and the fix is the same version**: `retry` (explicit), or raise `rolloutAttempt` in the code.',
    '- **The stable regresses after its revert window**: `undo` (instant while the standby is still provisioned, else an emergency rollout of the previous version).',
    '- **Nothing moves**: `status` (phase and lock), `history` (the last decision says why), `watch` (the step\'s time and deadline).',
    `- **To know the way back works** (after changing alarms, roles or the rule): \`drill\` on an idle endpoint${facts.drillSchedule ? ` (also scheduled: ${facts.drillSchedule})` : ''}; `
      + 'its `drill-completed` entry gives the time to detect and to recover.',
    '',
  ].join('\n');
}
