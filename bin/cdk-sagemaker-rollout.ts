#!/usr/bin/env node
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Command, Option } from 'commander';
import { EndpointState, HistoryEntry } from '../lambda/core';
import { RolloutRecord } from '../lambda/aws/rollout-records';
import { endpointHistory, endpointStatus, interveneByOperator, recordApproval, rolloutAtGate } from '../lambda/operator/commands';

/**
 * The on-call engineer's command line: status, history, approve/reject at the gate, manual rollback or abort.
 * It talks to the controller's state table and state machine with your own AWS credentials; find both names in the
 * stack outputs `RolloutStateTable` and `RolloutStateMachine` (or pass them by environment variable).
 */

interface Common { endpoint: string; table: string; stateMachine?: string; by?: string }

/** The controller's handlers read these; the CLI runs the same code. */
function configure(options: Common): void {
  process.env.TABLE_NAME = options.table;
  if (options.stateMachine) process.env.STATE_MACHINE_ARN = options.stateMachine;
}

async function identity(options: Common): Promise<string> {
  if (options.by) return options.by;
  const me = await new STSClient({}).send(new GetCallerIdentityCommand({}));
  if (!me.Arn) throw new Error('could not tell who you are (sts:GetCallerIdentity returned no ARN): pass --by <name>');
  return me.Arn;
}

function common(command: Command, needsMachine = false): Command {
  command
    .requiredOption('--endpoint <name>', 'the SageMaker endpoint name')
    .addOption(new Option('--table <name>', 'the controller\'s state table (stack output RolloutStateTable)').env('ROLLOUT_TABLE').makeOptionMandatory());
  if (needsMachine) {
    command.addOption(new Option('--state-machine <arn>', 'the rollout state machine (stack output RolloutStateMachine)').env('ROLLOUT_STATE_MACHINE').makeOptionMandatory());
  }
  return command;
}

function describeState(s: EndpointState | undefined, endpoint: string, gate?: RolloutRecord): string {
  if (!s) return `endpoint ${endpoint}: no state (not managed by this controller, or not created yet)`;
  const lines = [
    `endpoint ${s.endpointName}: ${s.phase}`,
    `  stable     ${s.stable ? `${s.stable.versionId} on ${s.stable.slot} since ${new Date(s.stable.since).toISOString()}` : '-'}`,
    `  candidate  ${s.candidate ? `${s.candidate.versionId} on ${s.candidate.slot} (rollout ${s.candidate.rolloutId})` : '-'}`,
    `  standby    ${s.standby ? `${s.standby.versionId} on ${s.standby.slot} until ${new Date(s.standby.until).toISOString()}` : '-'}`,
    `  weights    ${s.weights ? Object.entries(s.weights).map(([slot, w]) => `${slot} ${w}%`).join(' / ') : '-'}`,
    `  lock       ${s.lock ? `rollout ${s.lock.rolloutId} since ${new Date(s.lock.since).toISOString()}` : '-'}`,
    `  gate       ${gate ? `rollout ${gate.rolloutId} (version ${gate.versionId}) waits for approval since ${new Date(gate.gateOpenedAt!).toISOString()}` : '-'}`,
  ];
  return lines.join('\n');
}

function describeHistory(entries: HistoryEntry[]): string {
  return entries.map((h) => `${new Date(h.at).toISOString()}  ${h.decision.padEnd(20)} ${h.actor.padEnd(16)} ${h.reason}`).join('\n');
}

const program = new Command().name('cdk-sagemaker-rollout').description('Watch, approve and roll back SageMaker rollouts');

common(program.command('status').description('where the endpoint is: stable, candidate, standby, weights, lock'))
  .option('--json', 'print JSON')
  .action(async (o: Common & { json?: boolean }) => {
    configure(o);
    const s = await endpointStatus(o.endpoint);
    const gate = await rolloutAtGate(s);
    console.log(o.json ? JSON.stringify(s ?? null, null, 2) : describeState(s, o.endpoint, gate));
  });

common(program.command('history').description('the decision log: who or what decided, why, when'))
  .option('--limit <n>', 'how many of the latest entries', '30')
  .option('--json', 'print JSON')
  .action(async (o: Common & { limit: string; json?: boolean }) => {
    configure(o);
    const limit = Number(o.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit must be a positive whole number, got ${o.limit}`);
    const entries = await endpointHistory(o.endpoint, limit);
    console.log(o.json ? JSON.stringify(entries, null, 2) : describeHistory(entries));
  });

for (const decision of ['approve', 'reject'] as const) {
  common(program.command(decision).description(`${decision} the rollout waiting at the approval gate`))
    // Required: a decision applies only to the rollout the approver saw (refused when another one is at the gate).
    .requiredOption('--rollout <id>', 'the rollout you are deciding, as named in the approval notification or `status`')
    .option('--comment <text>', 'why, for the record')
    .option('--by <name>', 'who decides (default: your AWS identity)')
    .action(async (o: Common & { rollout: string; comment?: string }) => {
      configure(o);
      const by = await identity(o);
      const done = await recordApproval({ endpointName: o.endpoint, decision, by, rolloutId: o.rollout, comment: o.comment, now: Date.now() });
      console.log(`${decision === 'approve' ? 'approved' : 'rejected'} ${done.gate}, on ${o.endpoint} as ${by}; the controller applies it at its next check`);
    });
}

for (const request of ['rollback', 'abort'] as const) {
  const what = request === 'rollback'
    ? 'return 100% of traffic to the LKG now and mark the candidate rolled back (after promotion: revert to the standby)'
    : 'stop the rollout and return 100% of traffic to the LKG, without a verdict on the candidate';
  common(program.command(request).description(what), true)
    .requiredOption('--reason <text>', 'why, for the record')
    .option('--by <name>', 'who decides (default: your AWS identity)')
    .action(async (o: Common & { reason: string }) => {
      configure(o);
      const by = await identity(o);
      const done = await interveneByOperator({ endpointName: o.endpoint, request, by, reason: o.reason, now: Date.now() });
      console.log(`${done.action}: ${done.reason}; traffic is on the LKG, cleanup runs in ${done.executionArn}`);
    });
}

program.parseAsync().catch((error: Error) => {
  console.error(`cdk-sagemaker-rollout: ${error.message}`);
  process.exitCode = 1;
});
