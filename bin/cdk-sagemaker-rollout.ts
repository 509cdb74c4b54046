#!/usr/bin/env node
import * as fs from 'node:fs';
import * as readline from 'node:readline/promises';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Command, CommanderError, Option } from 'commander';
import { describeHistory, describeState } from '../lambda/operator/format';
import { quietSdkNodeNotice } from '../simulator/quiet';

/**
 * The on-call engineer's command line: status, watch, history, approve/reject at the gate, promote, manual rollback or
 * abort, undo, retry, drill, the endpoint's runbook, and
 * `simulate`, a what-if run of an endpoint of your own CDK app against the local twin, and `probe`, which measures in
 * your account the timings that twin assumes.
 * The operator commands talk to the controller's state table and state machine with your own AWS credentials; find
 * both names in the stack outputs `RolloutStateTable` and `RolloutStateMachine` (or pass them by environment variable).
 *
 * Exit codes: 0 done; 1 the command failed (AWS error, refused, an app that does not synthesize, an unknown endpoint,
 * a bad scenario, a drill that did not roll back); 2 usage error (unknown command or option, missing or invalid value);
 * 3 `simulate` ran and a safety invariant did not hold; 4 `status --wait-for promoted`: the rollout ended without
 * promotion; 5 `status --wait-for` (or `drill`) timed out.
 */
const EXIT = { ok: 0, failed: 1, usage: 2, invariantBroken: 3, endedOtherwise: 4, timedOut: 5 } as const;

/** Options every command takes. */
interface Global { region?: string; profile?: string; json?: boolean }
interface Common extends Global { endpoint: string; table: string; stateMachine?: string; by?: string }

/** A usage problem (exit code 2), as opposed to a failure of the work itself. */
class UsageError extends Error {}

/** Region and profile go where the AWS SDK reads them, before the first client resolves its configuration. */
function useAwsOptions(options: Global): void {
  if (options.region) {
    process.env.AWS_REGION = options.region;
    process.env.AWS_DEFAULT_REGION = options.region;
  }
  if (options.profile) process.env.AWS_PROFILE = options.profile;
}

/** The controller's handlers read these; the CLI runs the same code. */
function configure(options: Common): typeof import('../lambda/operator/commands') {
  useAwsOptions(options);
  process.env.TABLE_NAME = options.table;
  if (options.stateMachine) process.env.STATE_MACHINE_ARN = options.stateMachine;
  // Loaded after the environment is set: the operator code creates its AWS clients when it loads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../lambda/operator/commands');
}

async function identity(options: Common): Promise<string> {
  if (options.by) return options.by;
  const me = await new STSClient({}).send(new GetCallerIdentityCommand({}));
  if (!me.Arn) throw new Error('could not tell who you are (sts:GetCallerIdentity returned no ARN): pass --by <name>');
  return me.Arn;
}

/** A positive number option, or a usage error naming it. */
function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number of seconds, got ${value}`);
  return n;
}

/** `--region`, `--profile` and `--json`, on every command. */
function globalOptions(command: Command): Command {
  return command
    .option('--region <region>', 'AWS region (default: AWS_REGION or your profile\'s region)')
    .option('--profile <name>', 'AWS named profile (default: AWS_PROFILE or the default credentials chain)')
    .option('--json', 'print JSON instead of text');
}

function common(command: Command, needsMachine = false): Command {
  globalOptions(command)
    .requiredOption('--endpoint <name>', 'the SageMaker endpoint name')
    .addOption(new Option('--table <name>', 'the controller\'s state table (stack output RolloutStateTable)').env('ROLLOUT_TABLE').makeOptionMandatory());
  if (needsMachine) {
    command.addOption(new Option('--state-machine <arn>', 'the rollout state machine (stack output RolloutStateMachine)').env('ROLLOUT_STATE_MACHINE').makeOptionMandatory());
  }
  return command;
}

function print(options: Global, json: unknown, text: string): void {
  console.log(options.json ? JSON.stringify(json, null, 2) : text);
}

const program = new Command()
  .name('cdk-sagemaker-rollout')
  .description('Watch, approve and roll back SageMaker rollouts; simulate your own endpoint before deploying')
  .addHelpText('after', `
Exit codes:
  ${EXIT.ok}  done
  ${EXIT.failed}  the command failed (AWS error, refused, an app that does not synthesize, an unknown endpoint, a bad scenario)
  ${EXIT.usage}  usage error (unknown command or option, missing or invalid value)
  ${EXIT.invariantBroken}  simulate: a safety invariant did not hold in a run
  ${EXIT.endedOtherwise}  status --wait-for promoted: the rollout ended without promotion (rolled back, inconclusive, aborted, failed)
  ${EXIT.timedOut}  status --wait-for: timed out`)
  .exitOverride()
  .showHelpAfterError();

common(program.command('status').description('where the endpoint is: stable, candidate, standby, weights, lock; '
  + '--wait-for blocks until the rollout is promoted or traffic is settled (for CI)'))
  .addOption(new Option('--wait-for <what>', 'wait until the rollout is promoted, or until no rollout moves traffic').choices(['promoted', 'settled']))
  .option('--rollout <id>', 'with --wait-for: the rollout to wait for (default: the one holding the endpoint, else the latest)')
  .option('--timeout <seconds>', 'with --wait-for: give up after this long (exit 5)', '3600')
  .option('--interval <seconds>', 'with --wait-for: how often to look', '15')
  .action(async (o: Common & { waitFor?: 'promoted' | 'settled'; rollout?: string; timeout: string; interval: string }) => {
    const commands = configure(o);
    if (o.waitFor !== undefined) {
      const timeout = positive('--timeout', o.timeout);
      const interval = positive('--interval', o.interval);
      const deadline = Date.now() + timeout * 1000;
      for (;;) {
        const look = await commands.checkWait(o.endpoint, o.waitFor, o.rollout);
        if (look.done || Date.now() >= deadline) {
          const code = look.done ? (look.ok ? EXIT.ok : EXIT.endedOtherwise) : EXIT.timedOut;
          const why = look.done ? look.reason : `still waiting after ${timeout}s: ${look.reason}`;
          print(o, { endpoint: o.endpoint, waitFor: o.waitFor, ...look, timedOut: !look.done }, `${o.waitFor}: ${look.done && look.ok ? 'yes' : 'no'}: ${why}`);
          process.exitCode = code;
          return;
        }
        if (!o.json) console.error(`waiting for ${o.waitFor}: ${look.reason}`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(interval * 1000, Math.max(0, deadline - Date.now()))));
      }
    }
    const s = await commands.endpointStatus(o.endpoint);
    const [gate, judged, window] = await Promise.all([commands.rolloutAtGate(s), commands.judgedInProgress(s), commands.releaseWindowWait(s)]);
    print(o, s ? { ...s, gate: gate ?? null, judged: judged ?? null, releaseWindow: window ?? null } : null, describeState(s, o.endpoint, gate, judged, window));
  });

common(program.command('watch').description('follow the rollout live: progress through the steps, bake and deadline left, guard evidence; '
  + 'one line per transition when the output is not a terminal. Ends when no rollout moves traffic'))
  .option('--rollout <id>', 'the rollout to follow (default: the one holding the endpoint, else the latest)')
  .option('--interval <seconds>', 'how often to look', '5')
  .action(async (o: Common & { rollout?: string; interval: string }) => {
    const commands = configure(o);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { transitionLine, watchFrame } = require('../lambda/operator/watch') as typeof import('../lambda/operator/watch');
    const interval = positive('--interval', o.interval);
    const frames = Boolean(process.stdout.isTTY) && !o.json;
    const seen = new Set<string>();
    for (;;) {
      const input = await commands.watchInput(o.endpoint, Date.now(), o.rollout);
      if (frames) {
        process.stdout.write(`\x1b[2J\x1b[H${watchFrame(input)}\n`);
      } else {
        for (const h of input.history) {
          const key = `${h.at}#${h.decision}#${h.reason}`;
          if (seen.has(key)) continue;
          seen.add(key);
          console.log(o.json ? JSON.stringify(h) : transitionLine(h));
        }
      }
      const settled = !input.state || input.state.phase === 'idle' || input.rollout?.outcome !== undefined;
      if (settled) return;
      await new Promise((resolve) => setTimeout(resolve, interval * 1000));
    }
  });

common(program.command('history').description('the decision log: who or what decided, why, when'))
  .option('--limit <n>', 'how many of the latest entries', '30')
  .action(async (o: Common & { limit: string }) => {
    const limit = Number(o.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number, got ${o.limit}`);
    const entries = await configure(o).endpointHistory(o.endpoint, limit);
    print(o, entries, describeHistory(entries));
  });

for (const decision of ['approve', 'reject'] as const) {
  common(program.command(decision).description(`${decision} the rollout waiting at the approval gate`))
    // Required: a decision applies only to the rollout the approver saw (refused when another one is at the gate).
    .requiredOption('--rollout <id>', 'the rollout you are deciding, as named in the approval notification or `status`')
    .option('--comment <text>', 'why, for the record')
    .option('--by <name>', 'who decides (default: your AWS identity)')
    .action(async (o: Common & { rollout: string; comment?: string }) => {
      const commands = configure(o);
      const by = await identity(o);
      const done = await commands.recordApproval({ endpointName: o.endpoint, decision, by, rolloutId: o.rollout, comment: o.comment, now: Date.now() });
      print(o, { endpoint: o.endpoint, decision, rolloutId: o.rollout, gate: done.gate, by },
        `${decision === 'approve' ? 'approved' : 'rejected'} ${done.gate}, on ${o.endpoint} as ${by}; the controller applies it at its next check`);
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
      const commands = configure(o);
      const by = await identity(o);
      const done = await commands.interveneByOperator({ endpointName: o.endpoint, request, by, reason: o.reason, now: Date.now() });
      print(o, { endpoint: o.endpoint, by, ...done }, `${done.action}: ${done.reason}; traffic is on the LKG, cleanup runs in ${done.executionArn}`);
    });
}

common(program.command('undo').description('return to a version recorded as stable before, at any time: the instant revert while '
  + 'the standby is provisioned, else it is provisioned beside the stable, smoke-tested and given 100% with guards watched'), true)
  .option('--to <version>', 'the version id to return to (default: the last version stable before the current one)')
  .requiredOption('--reason <text>', 'why, for the record')
  .option('--by <name>', 'who decides (default: your AWS identity)')
  .action(async (o: Common & { to?: string; reason: string }) => {
    const commands = configure(o);
    const by = await identity(o);
    const done = await commands.undoByOperator({ endpointName: o.endpoint, toVersionId: o.to, by, reason: o.reason, now: Date.now() });
    print(o, { endpoint: o.endpoint, by, ...done }, done.action === 'revert'
      ? `undo: ${done.reason}; traffic is on ${done.versionId}, cleanup runs in ${done.executionArn}`
      : `undo: ${done.reason}; rollout ${done.rolloutId} runs in ${done.executionArn}`);
  });

common(program.command('retry').description('roll out again, explicitly, the version the last rollout did not promote (rolled back, '
  + 'inconclusive, aborted or failed), as declared, with rolloutAttempt raised'), true)
  .requiredOption('--reason <text>', 'why, for the record')
  .option('--by <name>', 'who decides (default: your AWS identity)')
  .action(async (o: Common & { reason: string }) => {
    const commands = configure(o);
    const by = await identity(o);
    const done = await commands.retryByOperator({ endpointName: o.endpoint, by, reason: o.reason, now: Date.now() });
    print(o, { endpoint: o.endpoint, by, ...done }, `retry: ${done.reason}; rollout ${done.rolloutId} runs in ${done.executionArn}`);
  });

common(program.command('drill').description('exercise the rollback on the live endpoint: the stable version is rolled out again as the '
  + 'candidate, one of its guard alarms is forced to ALARM once it serves, and the rollback that follows is timed and recorded '
  + '(history drill-completed, event Rollout Drill Completed). Only on an idle endpoint. Waits for the result unless --no-wait'), true)
  .option('--reason <text>', 'why, for the record', 'rollback drill')
  .option('--by <name>', 'who runs it (default: your AWS identity)')
  .option('--no-wait', 'start the drill and return (follow it with `watch`)')
  .option('--timeout <seconds>', 'give up waiting after this long (exit 5); provisioning the candidate takes minutes', '3600')
  .option('--interval <seconds>', 'how often to look', '15')
  .action(async (o: Common & { reason: string; wait: boolean; timeout: string; interval: string }) => {
    const timeout = positive('--timeout', o.timeout);
    const interval = positive('--interval', o.interval);
    const commands = configure(o);
    const by = await identity(o);
    const started = await commands.drillByOperator({ endpointName: o.endpoint, by, reason: o.reason, now: Date.now() });
    if (!o.wait) {
      print(o, { endpoint: o.endpoint, by, ...started }, `drill started: rollout ${started.rolloutId} forces ${started.alarmName} once the candidate serves; `
        + `follow it with \`watch --endpoint ${o.endpoint} --rollout ${started.rolloutId}\``);
      return;
    }
    if (!o.json) console.error(`drill started: rollout ${started.rolloutId} (${started.executionArn}); waiting for its result`);
    const deadline = Date.now() + timeout * 1000;
    for (;;) {
      const result = await commands.drillResult(o.endpoint, started.rolloutId);
      if (result.done) {
        const figures = result.entry!.evidence as { passed: boolean };
        print(o, { endpoint: o.endpoint, rolloutId: started.rolloutId, outcome: result.outcome, ...figures }, result.entry!.reason);
        process.exitCode = figures.passed ? EXIT.ok : EXIT.failed;
        return;
      }
      if (Date.now() >= deadline) {
        print(o, { endpoint: o.endpoint, rolloutId: started.rolloutId, timedOut: true }, `drill ${started.rolloutId} has no result after ${timeout}s: see \`history --endpoint ${o.endpoint}\``);
        process.exitCode = EXIT.timedOut;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(interval * 1000, Math.max(0, deadline - Date.now()))));
    }
  });

globalOptions(program.command('runbook')
  .description('print the on-call runbook of an endpoint (strategy, guards and thresholds, who approves, what is automatic, the exact '
    + 'commands), as your app synthesized it: read offline from the cloud assembly, no AWS credentials needed'))
  .requiredOption('--endpoint <name>', 'the endpointName of the BlueGreenEndpoint')
  .option('--cdk-out <dir>', 'the cloud assembly `cdk synth` wrote', 'cdk.out')
  .option('--stack <name>', 'the stack, when several stacks of the app declare this endpoint')
  .action((o: Global & { endpoint: string; cdkOut: string; stack?: string }) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { findRunbook } = require('../lambda/operator/runbook') as typeof import('../lambda/operator/runbook');
    const found = findRunbook(o.cdkOut, o.endpoint, o.stack);
    if (!o.json) console.error(`from ${found.file}, synthesized ${found.synthesizedAt.toISOString()}`);
    print(o, { endpoint: o.endpoint, file: found.file, synthesizedAt: found.synthesizedAt.toISOString(), markdown: found.markdown }, found.markdown);
  });


common(program.command('promote').description('skip the rest of the current step\'s bake (guards still watched: an alarm, the judge\'s '
  + '"worse" or unreadable data still hold or roll back; an approval gate still waits for its approver); --full: every remaining '
  + 'bake, straight to 100% and promotion. Applied at the rollout\'s next guard check'))
  .option('--full', 'go straight to 100% and promotion')
  .option('--rollout <id>', 'the rollout to promote (default: the one holding the endpoint; refused if another one holds it)')
  .requiredOption('--reason <text>', 'why, for the record')
  .option('--by <name>', 'who decides (default: your AWS identity)')
  .action(async (o: Common & { full?: boolean; rollout?: string; reason: string }) => {
    const commands = configure(o);
    const by = await identity(o);
    const done = await commands.promoteByOperator({ endpointName: o.endpoint, mode: o.full ? 'full' : 'step', rolloutId: o.rollout, by, reason: o.reason, now: Date.now() });
    print(o, { endpoint: o.endpoint, by, mode: o.full ? 'full' : 'step', ...done }, `promote${o.full ? ' --full' : ''}: ${done.reason}, as ${by}; the controller applies it at its next guard check`);
  });

globalOptions(program.command('simulate')
  .description('what-if: synthesizes your CDK app, takes one endpoint\'s spec (strategy, guards, approval, smoke test) and runs '
    + 'rollouts of it against a local twin of SageMaker, CloudWatch and Step Functions on a virtual clock; no AWS account is used'))
  .requiredOption('--app <command>', 'the command that runs your CDK app, as in cdk.json (e.g. "npx ts-node bin/app.ts")')
  .requiredOption('--endpoint <name>', 'the endpointName of the BlueGreenEndpoint to simulate')
  .option('--scenario <preset|file>', 'a preset (healthy, hard-failure, latency-regression, lost-alarm-events) or a scenario .json file '
    + '(its "endpoint" part is replaced by your endpoint\'s spec); default: every preset')
  .option('--out <dir>', 'where the HTML reports go', 'reports')
  .option('--timeline', 'print each run\'s timeline as it happens (default: the decisions, after each run)')
  .action(async (o: Global & { app: string; endpoint: string; scenario?: string; out: string; timeline?: boolean }) => {
    useAwsOptions(o);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { whatIf } = require('../simulator/what-if') as typeof import('../simulator/what-if');
    const summaries = await whatIf({ app: o.app, endpoint: o.endpoint, scenario: o.scenario, out: o.out, live: Boolean(o.timeline && !o.json), json: Boolean(o.json) });
    if (summaries.some((s) => s.invariants.some((i) => !i.holds))) process.exitCode = EXIT.invariantBroken;
  });

globalOptions(program.command('probe')
  .description('measures, in your own account, the timings the simulator\'s twin assumes (endpoint create and update, weight '
    + 'updates, read-after-write, metric arrival at 60 s and at 10 s, alarm event delivery) and facts it assumes (metric order, ModelLatency '
    + 'SampleCount and PR(:T), DescribeAlarmHistory defaults, ...) on one small endpoint of two variants, deletes it, and writes a calibration '
    + 'file for `npm run sim -- run <scenarios> --calibration <file>`; it asks before creating anything'))
  .option('--instance-type <type>', 'instance type of both variants', 'ml.c5.large')
  .option('--image <uri>', 'the container image of a model SageMaker can serve (yours: any that answers --payload)')
  .option('--model-data <s3-url>', 'the model data of that model (s3://...)')
  .option('--role <arn>', 'the execution role SageMaker runs the model with (needs to read the image and the model data)')
  .option('--payload <body>', 'a request body the model answers', '{}')
  .option('--content-type <type>', 'its content type', 'application/json')
  .option('--out <file>', 'where the calibration file goes', 'calibration.probe.json')
  .option('--price-per-hour <usd>', 'the on-demand price of one instance-hour of --instance-type in --region, to print the cost in dollars')
  .option('--yes', 'do not ask before creating the endpoint')
  .option('--cleanup', 'instead of probing, delete every endpoint, endpoint config and model left by an interrupted probe (names starting with sagemaker-rollout-probe)')
  .action(async (o: Global & { instanceType: string; image?: string; modelData?: string; role?: string; payload: string; contentType: string; out: string; pricePerHour?: string; yes?: boolean; cleanup?: boolean }) => {
    useAwsOptions(o);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const probe = require('../simulator/probe') as typeof import('../simulator/probe');
    if (o.cleanup) {
      const deleted = await probe.cleanupLeftovers((line) => console.error(line));
      print(o, { deleted }, deleted.length ? `deleted ${deleted.length}: ${deleted.join(', ')}` : 'nothing left by a probe');
      return;
    }
    const missing = [['--image', o.image], ['--model-data', o.modelData], ['--role', o.role]].filter(([, v]) => !v).map(([k]) => k);
    if (missing.length) throw new UsageError(`probe needs a model SageMaker can serve: pass ${missing.join(', ')} (see README, "Calibrating the twin in your account")`);
    const hours = probe.probeInstanceHours();
    const price = o.pricePerHour !== undefined ? Number(o.pricePerHour) : undefined;
    if (price !== undefined && !(price >= 0)) throw new UsageError(`--price-per-hour must be a number of dollars, got ${o.pricePerHour}`);
    console.error([
      `probe creates in ${process.env.AWS_REGION ?? 'your default region'}: one model, two endpoint configs (the second publishing metrics every 10 s)`
        + ` and one endpoint of two ${o.instanceType} instances`
        + ` (names starting with ${probe.PROBE_PREFIX}, tagged ${probe.PROBE_TAG.Key}), for about ${probe.probeEndpointMinutes()} minutes, and first, for about 4 minutes, a CloudWatch alarm,`
        + ' an EventBridge rule and an SQS queue (to time alarm event delivery); it deletes them at the end, on errors and on Ctrl-C.',
      `Estimated cost: about ${hours} instance-hours of ${o.instanceType}`
        + (price !== undefined ? ` = about $${(hours * price).toFixed(2)}` : ' (times the price in https://aws.amazon.com/sagemaker/pricing/, real-time inference; --price-per-hour prints it)')
        + ', plus a few hundred requests and CloudWatch GetMetricData calls.',
    ].join('\n'));
    if (!o.yes && !(await confirm('Create them? [y/N] '))) {
      console.error('nothing created');
      return;
    }
    const run = new probe.Probe({
      image: o.image!, modelDataUrl: o.modelData!, executionRoleArn: o.role!, instanceType: o.instanceType, payload: o.payload,
      contentType: o.contentType, log: (line) => console.error(line),
    });
    // Ctrl-C deletes what was created before exiting.
    const interrupted = () => {
      console.error('interrupted: deleting what the probe created');
      run.cleanup().then(() => process.exit(130), (error: Error) => { console.error(error.message); process.exit(130); });
    };
    process.once('SIGINT', interrupted);
    try {
      const result = await run.run();
      fs.writeFileSync(o.out, probe.probeFile(result));
      print(o, result, [
        `wrote ${o.out}: run scenarios with \`npm run sim -- run scenarios/ --calibration ${o.out}\``,
        ...Object.entries(result.calibration).map(([k, v]) => `  ${k.padEnd(28)} ${v!.value}`),
        ...Object.entries(result.facts).map(([k, v]) => `  ${k.padEnd(28)} ${Array.isArray(v) ? v.join(', ') : v}`),
      ].join('\n'));
    } finally {
      process.removeListener('SIGINT', interrupted);
    }
  });

/** Asks a yes/no question on the terminal. */
async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** What to check when the SDK found no credentials: the profile and region this run used. */
function credentialsHint(message: string): string {
  if (!/Could not load credentials|profile/i.test(message)) return message;
  const profile = process.env.AWS_PROFILE;
  return `${message} (profile ${profile ? `'${profile}'` : '(default chain)'}, region ${process.env.AWS_REGION ?? '(unset)'}): `
    + `pass --profile with a profile of ~/.aws/config (check it with \`aws configure list --profile <name>\`) or set AWS credentials in the environment`;
}

quietSdkNodeNotice();
program.parseAsync().catch((error: Error) => {
  if (error instanceof CommanderError) {
    // Commander printed the problem (or the help/version) already.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return;
  }
  console.error(`cdk-sagemaker-rollout: ${credentialsHint(error.message)}`);
  process.exitCode = error instanceof UsageError ? EXIT.usage : EXIT.failed;
});
