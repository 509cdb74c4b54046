import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';

/**
 * Random argument vectors for the operator CLI (commands, flags with missing, odd or wrong-typed values, unknown
 * flags): every one exits with a documented code and a message, never a stack trace. No credentials are set, so a
 * command that gets as far as AWS stops there (and says so).
 */
const LAUNCHER = path.join(__dirname, '..', '..', 'tools', 'bin', 'cdk-sagemaker-rollout.js');
const RUNS = Number(process.env.FUZZ_CLI_RUNS ?? 4);
const COMMANDS = ['status', 'history', 'approve', 'reject', 'rollback', 'abort', 'undo', 'retry', 'promote', 'watch', 'drill', 'runbook', 'simulate', 'probe', 'nonsense', ''];
const FLAGS = ['--endpoint', '--region', '--profile', '--json', '--rollout', '--reason', '--by', '--to', '--limit', '--full', '--wait-for', '--timeout', '--app', '--scenario', '--unknown-flag', '-x'];
const VALUES = ['', 'fraud', 'x'.repeat(300), '-1', '0', '1e309', 'NaN', '../../etc/passwd', 'eu-west-1', 'not a region', '{"a":1}', '--json', 'ünï'];
const STACK_TRACE = /\n\s+at .+:\d+:\d+\)?\n|TypeError|ReferenceError|Cannot read propert/;

test(`${RUNS} random argument vectors: a documented exit code and a message, never a stack trace`, () => {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: os.tmpdir(), AWS_EC2_METADATA_DISABLED: 'true' };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_') && k !== 'AWS_EC2_METADATA_DISABLED' || k.startsWith('ROLLOUT_')) delete env[k];
  const args = fc.tuple(fc.constantFrom(...COMMANDS), fc.array(fc.tuple(fc.constantFrom(...FLAGS), fc.option(fc.constantFrom(...VALUES), { nil: undefined })), { maxLength: 4 }))
    .map(([command, flags]) => [command, ...flags.flatMap(([flag, value]) => (value === undefined ? [flag] : [flag, value]))].filter((a) => a !== ''));
  fc.assert(fc.property(args, (argv) => {
    const r = spawnSync(process.execPath, [LAUNCHER, ...argv], { encoding: 'utf8', env, timeout: 60_000 });
    const out = `${r.stdout}${r.stderr}`;
    expect([0, 1, 2, 3, 4, 5]).toContain(r.status);
    expect(out.trim().length).toBeGreaterThan(0);
    expect(out).not.toMatch(STACK_TRACE);
  }), { seed: 15, numRuns: RUNS });
}, 600_000);
